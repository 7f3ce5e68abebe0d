def build_classifier(in_channels=1, height=28, width=28, n_outputs=10):
    features = nn.Sequential(
        nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    )
    with torch.no_grad():
        n_features = features(torch.zeros(1, in_channels, height, width)).flatten(1).shape[1]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = features
            self.head = nn.Linear(n_features, n_outputs)

        def forward(self, x):
            return self.head(self.features(x).flatten(start_dim=1))

    return Net()
