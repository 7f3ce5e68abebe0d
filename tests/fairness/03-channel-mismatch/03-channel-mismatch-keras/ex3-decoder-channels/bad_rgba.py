def build_decoder(latent_channels, out_channels):
    return keras.Sequential([
        keras.Input((None, None, latent_channels)),
        layers.Conv2DTranspose(16, 2, strides=2, activation="relu"),
        layers.Conv2D(4, 3, padding="same", activation="sigmoid"),
    ])
