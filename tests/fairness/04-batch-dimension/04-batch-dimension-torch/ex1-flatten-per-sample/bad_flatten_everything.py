class FlatNet(nn.Module):
    def __init__(self, in_channels, height, width, n_outputs):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(16 * (height // 4) * (width // 4), n_outputs)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x)))   # start_dim=0: the batch too


def build_classifier(in_channels=1, height=28, width=28, n_outputs=10):
    return FlatNet(in_channels, height, width, n_outputs)
