# Bug 2 left in: 'valid' padding shrinks 28 -> 13 -> 6 -> 24.
def build_conv_autoencoder(channels=1, code_channels=8):
    encoder = keras.Sequential([keras.Input((None, None, channels)),
                                layers.Conv2D(16, 3, strides=2, activation="relu"),
                                layers.Conv2D(code_channels, 3, strides=2, activation="relu")])
    decoder = keras.Sequential([keras.Input((None, None, code_channels)),
                                layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
                                layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid")])
    img = keras.Input((None, None, channels))
    return encoder, decoder, keras.Model(img, decoder(encoder(img)))
