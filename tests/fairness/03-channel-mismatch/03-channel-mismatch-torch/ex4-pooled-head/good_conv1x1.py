def build_head(channels, n_classes):
    # a 1x1 conv is a Linear applied at every position; averaging afterwards = averaging before
    return nn.Sequential(nn.Conv2d(channels, n_classes, kernel_size=1), nn.AdaptiveAvgPool2d(1), nn.Flatten())
