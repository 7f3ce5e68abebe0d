def build_decoder(latent_channels, out_channels):
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(latent_channels, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(32, out_channels, kernel_size=3, padding=1), nn.Sigmoid(),
    )
