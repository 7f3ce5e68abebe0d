# Keras's own per-sample MSE on flattened images; sizes read from the arrays.
def reconstruction_errors(autoencoder, x):
    x = np.asarray(x, dtype="float32")
    recon = autoencoder.predict(x, verbose=0)
    n = x.shape[0]
    return np.asarray(keras.losses.mean_squared_error(x.reshape(n, -1), recon.reshape(n, -1)))


def compression_ratio(encoder, image_shape):
    image = np.zeros((1,) + tuple(image_shape), dtype="float32")
    code = encoder(image)
    return image.size / int(np.prod(code.shape[1:]))
