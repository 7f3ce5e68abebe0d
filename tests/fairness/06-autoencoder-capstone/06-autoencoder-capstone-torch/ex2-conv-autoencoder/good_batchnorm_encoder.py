# Strided convolutions with BatchNorm2d in the encoder; the decoder asks for the exact size
# with ConvTranspose2d's output_size instead of output_padding.
class ConvAutoencoder(nn.Module):
    def __init__(self, channels=1, code_channels=8):
        super().__init__()
        self.down1 = nn.Sequential(nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.down2 = nn.Sequential(nn.Conv2d(16, code_channels, 3, stride=2, padding=1), nn.BatchNorm2d(code_channels))
        self.up1 = nn.ConvTranspose2d(code_channels, 16, 3, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(16, channels, 3, stride=2, padding=1)

    def encode(self, x):
        return self.down2(self.down1(x))

    def decode(self, z):
        h, w = z.shape[-2:]
        y = torch.relu(self.up1(z, output_size=(2 * h, 2 * w)))
        return torch.sigmoid(self.up2(y, output_size=(4 * h, 4 * w)))

    def forward(self, x):
        return self.decode(self.encode(x))
