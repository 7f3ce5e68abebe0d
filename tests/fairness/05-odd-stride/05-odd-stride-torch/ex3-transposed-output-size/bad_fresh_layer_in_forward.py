# Right sizes, but forward makes a new ConvTranspose2d at every call instead of using self.up:
# the output is never the trained layer's (the learner's attempt reported in issue 17).
class UpBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1)
        self.in_channels, self.out_channels = in_channels, out_channels

    def forward(self, x, size):
        up = nn.ConvTranspose2d(self.in_channels, self.out_channels, 3, stride=2, padding=1).to(x.device)
        return up(x, output_size=size)
