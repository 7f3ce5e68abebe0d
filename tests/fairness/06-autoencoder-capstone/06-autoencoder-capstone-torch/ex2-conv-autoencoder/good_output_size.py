# Upsampling with interpolate to the exact input size instead of output_padding.
class ConvAutoencoder(nn.Module):
    def __init__(self, channels=1, code_channels=8):
        super().__init__()
        self.c1 = nn.Conv2d(channels, 12, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(12, code_channels, 3, stride=2, padding=1)
        self.d1 = nn.Conv2d(code_channels, 12, 3, padding=1)
        self.d2 = nn.Conv2d(12, channels, 3, padding=1)

    def encode(self, x):
        return torch.relu(self.c2(torch.relu(self.c1(x))))

    def decode(self, z):
        h, w = z.shape[-2] * 4, z.shape[-1] * 4
        y = F.interpolate(z, scale_factor=2, mode="nearest")
        y = torch.relu(self.d1(y))
        y = F.interpolate(y, size=(h, w), mode="nearest")
        return torch.sigmoid(self.d2(y))

    def forward(self, x):
        return self.decode(self.encode(x))
