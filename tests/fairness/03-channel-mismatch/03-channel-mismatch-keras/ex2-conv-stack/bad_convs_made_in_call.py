class ConvStack(keras.Model):
    def __init__(self, widths):
        super().__init__()
        self.widths = widths
        self.pool = layers.MaxPooling2D(2)

    def call(self, x):
        for width in self.widths:
            # a fresh conv at every call: its weights are never the model's, never trained
            x = self.pool(layers.Conv2D(width, 3, padding="same", activation="relu")(x))
        return x


def build_conv_stack(in_channels, widths):
    return ConvStack(widths)
