class FlatAll(nn.Module):
    def __init__(self, in_channels, height, width, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.LazyLinear(n_classes)

    def forward(self, x):
        # flattens the batch axis too: one sample of N*features, output (n_classes,)
        return self.head(torch.flatten(self.features(x)))


def build_digit_cnn(in_channels=1, height=28, width=28, n_classes=10):
    return FlatAll(in_channels, height, width, n_classes)
