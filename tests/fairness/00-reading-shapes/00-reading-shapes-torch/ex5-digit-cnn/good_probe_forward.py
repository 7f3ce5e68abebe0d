def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    features = nn.Sequential(
        nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
    )
    with torch.no_grad():  # one probe image tells us the flattened size
        n_features = features(torch.zeros(1, in_channels, height, width)).numel()
    return nn.Sequential(features, nn.Flatten(), nn.Linear(n_features, n_classes))
