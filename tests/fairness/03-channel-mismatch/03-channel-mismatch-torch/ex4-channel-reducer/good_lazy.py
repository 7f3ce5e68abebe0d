def build_reducer(in_channels, mid_channels, out_channels):
    return nn.Sequential(nn.LazyConv2d(mid_channels, 1), nn.ReLU(inplace=True),
                         nn.LazyConv2d(out_channels, 3, padding=1), nn.ReLU(inplace=True))
