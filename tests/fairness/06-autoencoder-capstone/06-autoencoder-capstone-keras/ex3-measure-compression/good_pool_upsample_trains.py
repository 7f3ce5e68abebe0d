# The Exercise 2 alternative that pools down and upsamples plus convolves up, trained by the
# training cell that follows (this span includes it); with MSE and some seeds it used to stall
# on a constant output. The measurements use a Keras loss per image and compute_output_shape.
def build_conv_autoencoder(channels=1, code_channels=8):
    encoder = keras.Sequential([
        keras.Input((None, None, channels)),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(code_channels, 3, padding="same", activation="relu"), layers.MaxPooling2D(2)])
    decoder = keras.Sequential([
        keras.Input((None, None, code_channels)),
        layers.UpSampling2D(2), layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.UpSampling2D(2), layers.Conv2D(channels, 3, padding="same", activation="sigmoid")])
    img = keras.Input((None, None, channels))
    return encoder, decoder, keras.Model(img, decoder(encoder(img)))


def reconstruction_errors(autoencoder, x):
    n = len(x)
    recon = ck.predict(autoencoder, x).reshape(n, -1)
    return np.asarray(keras.losses.mean_squared_error(np.asarray(x, dtype="float32").reshape(n, -1), recon))


def compression_ratio(encoder, image_shape):
    code_shape = encoder.compute_output_shape((1,) + tuple(image_shape))
    return float(np.prod(image_shape)) / float(np.prod(code_shape[1:]))
