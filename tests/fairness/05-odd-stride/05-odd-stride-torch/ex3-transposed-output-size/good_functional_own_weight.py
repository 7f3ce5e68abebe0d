# Holds its own weight and bias as nn.Parameter and calls F.conv_transpose2d with them.
class UpBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_channels, out_channels, 3, 3) * 0.1)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x, size):
        pad = tuple(s - (2 * n - 1) for s, n in zip(size, x.shape[-2:]))
        return F.conv_transpose2d(x, self.weight, self.bias, stride=2, padding=1, output_padding=pad)
