class Decoder(keras.Model):
    def __init__(self, out_channels):
        super().__init__()
        self.out_channels = out_channels
        self.up = layers.Conv2DTranspose(16, 2, strides=2, activation="relu")

    def call(self, x):
        # a fresh output conv at every call: the decoder never learns its last layer
        return layers.Conv2D(self.out_channels, 3, padding="same", activation="sigmoid")(self.up(x))


def build_decoder(latent_channels, out_channels):
    return Decoder(out_channels)
