def build_decoder(latent_channels, out_channels):
    z = keras.Input((None, None, latent_channels))
    x = layers.UpSampling2D(size=2)(z)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    out = layers.Conv2D(out_channels, 3, padding="same", activation="sigmoid")(x)
    return keras.Model(z, out)
