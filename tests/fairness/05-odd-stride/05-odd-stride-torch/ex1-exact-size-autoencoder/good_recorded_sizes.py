# Pool with ceil_mode, remember every size on the way down, upsample to exactly those sizes.
class RecordedSizesAE(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, 12, 3, padding=1)
        self.c2 = nn.Conv2d(12, 24, 3, padding=1)
        self.c3 = nn.Conv2d(24, 12, 3, padding=1)
        self.c4 = nn.Conv2d(12, in_channels, 3, padding=1)
        self.pool = nn.MaxPool2d(2, ceil_mode=True)

    def forward(self, x):
        s0 = x.shape[-2:]
        x = self.pool(torch.relu(self.c1(x)))
        s1 = x.shape[-2:]
        x = self.pool(torch.relu(self.c2(x)))
        x = torch.relu(self.c3(F.interpolate(x, size=s1)))
        return self.c4(F.interpolate(x, size=s0))


def build_autoencoder(in_channels=1):
    return RecordedSizesAE(in_channels)
