# Batch by batch, squared error averaged over all non-batch axes.
def reconstruction_errors(autoencoder, x):
    out = []
    for start in range(0, len(x), 4):
        chunk = x[start:start + 4]
        recon = np.asarray(autoencoder(chunk, training=False))
        out.append(np.mean(np.square(recon - chunk), axis=tuple(range(1, chunk.ndim))))
    return np.concatenate(out)


def compression_ratio(encoder, image_shape):
    code_shape = encoder.compute_output_shape((1,) + tuple(image_shape))
    return float(np.prod(image_shape) / np.prod(code_shape[1:]))
