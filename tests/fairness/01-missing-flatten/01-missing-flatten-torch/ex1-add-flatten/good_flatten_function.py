class Classifier(nn.Module):
    def __init__(self, in_channels, size, n_classes):
        super().__init__()
        self.body = make_features(in_channels)
        side = (size - 4) // 2 // 2          # conv 5 (-4), pool, conv 3 with padding 1 (same), pool
        self.fc = nn.Linear(16 * side * side, n_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.body(x), start_dim=1))


def build_classifier(in_channels, size, n_classes):
    return Classifier(in_channels, size, n_classes)
