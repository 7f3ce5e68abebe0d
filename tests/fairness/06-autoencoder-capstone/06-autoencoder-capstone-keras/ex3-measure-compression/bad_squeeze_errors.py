# squeeze() at the end: one error per image, except for a batch of 1, which becomes a 0-d array.
def reconstruction_errors(autoencoder, x):
    recon = ck.predict(autoencoder, x)
    return ((recon - x) ** 2).mean(axis=(1, 2, 3)).squeeze()


def compression_ratio(encoder, image_shape):
    code = ck.predict(encoder, np.zeros((1, *image_shape), dtype="float32"))
    return float(np.prod(image_shape)) / code[0].size
