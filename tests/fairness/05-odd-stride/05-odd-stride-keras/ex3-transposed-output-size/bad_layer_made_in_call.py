class UpTo(layers.Layer):
    def __init__(self, size, filters):
        super().__init__()
        self.size, self.filters = size, filters

    def call(self, x):
        # a fresh transposed conv at every call: its weights never belong to the model
        output_padding = (self.size[0] - (2 * x.shape[1] - 1), self.size[1] - (2 * x.shape[2] - 1))
        return layers.Conv2DTranspose(self.filters, 3, strides=2, padding="same", output_padding=output_padding,
                                      activation="relu")(x)


def upsample_to(x, size, filters):
    return UpTo(size, filters)(x)
