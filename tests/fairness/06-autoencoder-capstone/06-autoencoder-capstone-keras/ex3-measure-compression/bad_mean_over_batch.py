# One number for the whole batch instead of one per sample.
def reconstruction_errors(autoencoder, x):
    return float(np.mean((ck.predict(autoencoder, x) - x) ** 2))


def compression_ratio(encoder, image_shape):
    code = ck.predict(encoder, np.zeros((1, *image_shape), dtype="float32"))
    return float(np.prod(image_shape)) / code[0].size
