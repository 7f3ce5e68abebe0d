# One fully convolutional model for every size: pad and crop with backend ops at run time.
class PadToMultiple(layers.Layer):
    def __init__(self, multiple, **kwargs):
        super().__init__(**kwargs)
        self.multiple = multiple

    def call(self, x):
        h, w = ops.shape(x)[1], ops.shape(x)[2]
        return ops.pad(x, [[0, 0], [0, (-h) % self.multiple], [0, (-w) % self.multiple], [0, 0]])


class CropLike(layers.Layer):
    def call(self, x, ref):
        return x[:, :ops.shape(ref)[1], :ops.shape(ref)[2], :]


def build_autoencoder(height, width, channels=1):
    inputs = keras.Input((None, None, channels))        # height and width are not needed
    x = PadToMultiple(4)(inputs)
    for filters in (12, 24):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    for filters in (24, 12):
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(channels, 3, padding="same")(x)
    return keras.Model(inputs, CropLike()(x, inputs))
