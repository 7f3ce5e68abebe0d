def to_channels_last(batch):
    # swaps channels with width: (N, W, H, C), each image transposed
    return np.swapaxes(batch, 1, 3)
