def to_channels_last(images):
    """(N, C, H, W) or (N, H, W) NumPy array -> float32 NumPy array (N, H, W, C)."""
    arr = np.asarray(images).astype(np.float32)
    if arr.ndim == 3:
        return np.expand_dims(arr, axis=-1)   # grayscale: a channel axis of 1 at the end
    return np.moveaxis(arr, 1, -1)
