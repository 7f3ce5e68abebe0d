# Max-pooling down; nn.Upsample plus same-size convolutions up (no transposed convolution).
class ConvAutoencoder(nn.Module):
    def __init__(self, channels=1, code_channels=8):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, code_channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.decoder = nn.Sequential(
            nn.Upsample(scale_factor=2), nn.Conv2d(code_channels, 16, 3, padding=1), nn.ReLU(),
            nn.Upsample(scale_factor=2), nn.Conv2d(16, channels, 3, padding=1), nn.Sigmoid())

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))
