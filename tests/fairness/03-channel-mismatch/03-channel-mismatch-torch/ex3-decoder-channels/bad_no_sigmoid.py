def build_decoder(latent_channels, out_channels):
    # right shape, but unbounded outputs for targets in [0, 1]
    return nn.ConvTranspose2d(latent_channels, out_channels, kernel_size=2, stride=2)
