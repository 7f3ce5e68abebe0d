def to_channels_last(batch):
    return np.moveaxis(batch, 1, -1)
