def build_reducer(in_channels, mid_channels, out_channels):
    return nn.Sequential(nn.Conv2d(912, mid_channels, 1), nn.ReLU(),
                         nn.Conv2d(mid_channels, out_channels, 3, padding=1), nn.ReLU())
