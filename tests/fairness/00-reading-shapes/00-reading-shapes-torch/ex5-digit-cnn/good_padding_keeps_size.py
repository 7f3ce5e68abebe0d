class PaddedDigitNet(nn.Module):
    """padding=1 makes the author's assumption true: conv keeps the size, pool halves it."""

    def __init__(self, in_channels=1, height=28, width=28, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(16 * (height // 4) * (width // 4), n_classes)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), start_dim=1))


def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    return PaddedDigitNet(in_channels, height, width, n_classes)
