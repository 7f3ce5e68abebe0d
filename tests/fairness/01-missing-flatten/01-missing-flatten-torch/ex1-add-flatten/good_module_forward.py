class DigitNet(nn.Module):
    def __init__(self, in_channels, size, n_classes):
        super().__init__()
        self.features = make_features(in_channels)
        with torch.no_grad():
            n_features = self.features(torch.zeros(1, in_channels, size, size)).numel()
        self.head = nn.Linear(n_features, n_classes)

    def forward(self, x):
        x = self.features(x)
        return self.head(x.reshape(x.shape[0], -1))


def build_classifier(in_channels, size, n_classes):
    return DigitNet(in_channels, size, n_classes)
