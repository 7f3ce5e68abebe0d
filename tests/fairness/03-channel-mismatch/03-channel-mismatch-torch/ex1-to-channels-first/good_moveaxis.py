def to_channels_first(images):
    """(N, H, W, C) or (N, H, W) NumPy array -> float32 torch tensor (N, C, H, W)."""
    arr = np.asarray(images, dtype=np.float32)
    if arr.ndim == 3:
        arr = arr[..., np.newaxis]            # grayscale: add a channel axis of 1 at the end
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(arr, -1, 1)))
