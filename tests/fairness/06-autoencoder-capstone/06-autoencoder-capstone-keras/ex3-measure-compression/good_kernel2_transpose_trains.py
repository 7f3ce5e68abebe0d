# The Exercise 2 alternative with kernel-2 stride-2 transposed convolutions up, trained by the
# training cell that follows (this span includes it). Measurements written with plain NumPy.
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


def reconstruction_errors(autoencoder, x):
    diff = np.asarray(autoencoder.predict(x, verbose=0)) - np.asarray(x)
    return (diff ** 2).reshape(diff.shape[0], -1).mean(axis=1)


def compression_ratio(encoder, image_shape):
    code = np.asarray(encoder(np.zeros((1, *image_shape), dtype="float32")))
    return int(np.prod(image_shape)) / code.size
