def to_channels_first(images):
    x = torch.tensor(images).float()
    if x.dim() == 4:
        return torch.einsum("nhwc->nchw", x)
    return x[:, None, :, :]
