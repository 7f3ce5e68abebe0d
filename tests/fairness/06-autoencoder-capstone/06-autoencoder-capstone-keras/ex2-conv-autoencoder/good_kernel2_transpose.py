# Kernel-2 stride-2 transposed convolutions double exactly even with 'valid' padding.
def build_conv_autoencoder(channels=1, code_channels=8):
    img = keras.Input((None, None, channels))
    h = layers.Conv2D(12, 3, strides=2, padding="same", activation="relu")(img)
    code = layers.Conv2D(code_channels, 3, strides=2, padding="same", activation="relu")(h)
    encoder = keras.Model(img, code)
    z = keras.Input((None, None, code_channels))
    u = layers.Conv2DTranspose(12, 2, strides=2, activation="relu")(z)
    out = layers.Conv2DTranspose(channels, 2, strides=2, activation="sigmoid")(u)
    decoder = keras.Model(z, out)
    return encoder, decoder, keras.Model(img, decoder(encoder(img)))
