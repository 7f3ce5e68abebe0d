def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    return BrokenDigitNet(in_channels, height, width, n_classes)
