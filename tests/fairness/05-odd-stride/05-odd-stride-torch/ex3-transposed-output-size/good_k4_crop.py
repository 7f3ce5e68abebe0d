# A 4 x 4 kernel doubles exactly (2n); crop to the requested size.
class UpBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1)

    def forward(self, x, size):
        return self.up(x)[:, :, :size[0], :size[1]]
