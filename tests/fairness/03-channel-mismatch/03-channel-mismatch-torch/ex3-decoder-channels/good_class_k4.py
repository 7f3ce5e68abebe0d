class Decoder(nn.Module):
    def __init__(self, latent_channels, out_channels):
        super().__init__()
        # kernel 4, stride 2, padding 1: (h - 1) * 2 - 2 + 4 = 2h
        self.up = nn.ConvTranspose2d(latent_channels, out_channels, kernel_size=4, stride=2, padding=1)

    def forward(self, z):
        return torch.sigmoid(self.up(z))


def build_decoder(latent_channels, out_channels):
    return Decoder(latent_channels, out_channels)
