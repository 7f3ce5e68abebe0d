def to_channels_first(batch):
    # swaps channels with width: (N, C, W, H), each image transposed
    return batch.transpose(1, 3)
