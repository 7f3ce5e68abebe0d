def to_channels_first(batch):
    return torch.einsum("nhwc->nchw", batch)
