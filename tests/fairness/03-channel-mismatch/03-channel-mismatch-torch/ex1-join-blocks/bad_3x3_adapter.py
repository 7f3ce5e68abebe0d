def join_blocks(first, second):
    return nn.Sequential(first, nn.Conv2d(first[0].out_channels, second[0].in_channels, 3, padding=1), second)
