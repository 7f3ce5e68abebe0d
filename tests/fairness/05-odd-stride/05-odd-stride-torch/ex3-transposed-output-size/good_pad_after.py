# Let the layer give 2n - 1, then replicate the last row/column where 2n is wanted.
class UpBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(in_channels, out_channels, kernel_size=3, stride=2, padding=1)

    def forward(self, x, size):
        y = self.deconv(x)
        return F.pad(y, (0, size[1] - y.shape[-1], 0, size[0] - y.shape[-2]), mode="replicate")
