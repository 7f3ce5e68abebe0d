def build_decoder(latent_channels, out_channels):
    # right shape, but unbounded outputs for targets in [0, 1]
    return keras.Sequential([keras.Input((None, None, latent_channels)),
                             layers.Conv2DTranspose(out_channels, 2, strides=2)])
