def to_channels_first(batch):
    return torch.movedim(batch, -1, 1).contiguous()
