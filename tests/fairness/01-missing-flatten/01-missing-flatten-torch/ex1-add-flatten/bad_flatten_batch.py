class Classifier(nn.Module):
    def __init__(self, in_channels, size, n_classes):
        super().__init__()
        self.body = make_features(in_channels)
        s = (size - 4) // 2 // 2
        self.fc = nn.Linear(16 * s * s, n_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.body(x)))     # start_dim=0 flattens the batch too


def build_classifier(in_channels, size, n_classes):
    return Classifier(in_channels, size, n_classes)
