# Passes the visible tests (28x28, 1 channel, 8 code channels) but hard-codes them.
def build_conv_autoencoder(channels=1, code_channels=8):
    encoder = keras.Sequential([keras.Input((28, 28, 1)),
                                layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
                                layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")])
    decoder = keras.Sequential([keras.Input((7, 7, 8)),
                                layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
                                layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")])
    img = keras.Input((28, 28, 1))
    return encoder, decoder, keras.Model(img, decoder(encoder(img)))
