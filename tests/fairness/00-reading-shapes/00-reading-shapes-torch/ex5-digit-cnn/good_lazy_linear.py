def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    return nn.Sequential(
        nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.LazyLinear(n_classes),  # in_features found on the first forward pass
    )
