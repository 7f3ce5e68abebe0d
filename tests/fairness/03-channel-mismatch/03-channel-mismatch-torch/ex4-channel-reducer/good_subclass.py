class Reducer(nn.Module):
    def __init__(self, in_channels, mid_channels, out_channels):
        super().__init__()
        self.reduce = nn.Conv2d(in_channels, mid_channels, (1, 1))
        self.conv = nn.Conv2d(mid_channels, out_channels, (3, 3), padding="same")

    def forward(self, x):
        return F.relu(self.conv(F.relu(self.reduce(x))))


def build_reducer(in_channels, mid_channels, out_channels):
    return Reducer(in_channels, mid_channels, out_channels)
