# Bug 2 left in: 7 -> 13 -> 25 instead of 28.
class ConvAutoencoder(nn.Module):
    def __init__(self, channels=1, code_channels=8):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
                                     nn.Conv2d(16, code_channels, 3, stride=2, padding=1), nn.ReLU())
        self.decoder = nn.Sequential(nn.ConvTranspose2d(code_channels, 16, 3, stride=2, padding=1), nn.ReLU(),
                                     nn.ConvTranspose2d(16, channels, 3, stride=2, padding=1), nn.Sigmoid())

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))
