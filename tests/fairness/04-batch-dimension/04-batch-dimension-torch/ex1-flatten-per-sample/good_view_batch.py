class DigitNet(nn.Module):
    def __init__(self, in_channels, height, width, n_outputs):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 8, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.fc = nn.Linear(16 * (height // 4) * (width // 4), n_outputs)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.view(x.size(0), -1))          # the batch size read from x itself


def build_classifier(in_channels=1, height=28, width=28, n_outputs=10):
    return DigitNet(in_channels, height, width, n_outputs)
