def to_channels_last(images):
    x = np.array(images, dtype="float32")
    if x.ndim == 4:
        return np.einsum("nchw->nhwc", x)
    return x[:, :, :, None]
