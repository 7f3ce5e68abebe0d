def build_decoder(latent_channels, out_channels):
    return nn.Sequential(
        nn.ConvTranspose2d(latent_channels, 16, kernel_size=2, stride=2), nn.ReLU(),
        nn.Conv2d(16, 4, kernel_size=3, padding=1), nn.Sigmoid(),
    )
