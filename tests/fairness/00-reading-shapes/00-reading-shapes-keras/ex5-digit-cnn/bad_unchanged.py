def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    return build_broken_digit_cnn(height, width, channels, n_classes)
