# Strided convolutions down, transposed convolutions up, then resize to the input's size.
def build_autoencoder(in_channels=1):
    class ResizeAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(
                nn.Conv2d(in_channels, 16, 3, stride=2, padding=1), nn.ReLU(),
                nn.Conv2d(16, 16, 3, stride=2, padding=1), nn.ReLU())
            self.decoder = nn.Sequential(
                nn.ConvTranspose2d(16, 16, 4, stride=2, padding=1), nn.ReLU(),
                nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1), nn.ReLU(),
                nn.Conv2d(8, in_channels, 3, padding=1))

        def forward(self, x):
            out = self.decoder(self.encoder(x))
            return F.interpolate(out, size=x.shape[-2:], mode="bilinear", align_corners=False)

    return ResizeAE()
