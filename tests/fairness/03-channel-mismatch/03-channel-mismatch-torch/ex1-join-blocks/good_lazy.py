def join_blocks(first, second):
    in_channels = next(m.in_channels for m in second.modules() if isinstance(m, nn.Conv2d))
    return nn.Sequential(first, nn.LazyConv2d(in_channels, kernel_size=1), second)
