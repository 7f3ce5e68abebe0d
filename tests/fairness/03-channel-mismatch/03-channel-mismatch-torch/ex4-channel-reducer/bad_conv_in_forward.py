class Reducer(nn.Module):
    def __init__(self, in_channels, mid_channels, out_channels):
        super().__init__()
        self.reduce = nn.Conv2d(in_channels, mid_channels, 1)
        self.conv = nn.Conv2d(mid_channels, out_channels, 3, padding=1)

    def forward(self, x):
        x = F.relu(self.reduce(x))
        fresh = nn.Conv2d(x.shape[1], self.conv.out_channels, 3, padding=1)  # not self.conv
        return F.relu(fresh(x))


def build_reducer(in_channels, mid_channels, out_channels):
    return Reducer(in_channels, mid_channels, out_channels)
