def build_decoder(latent_channels, out_channels):
    # 'same' padding with stride 2: the output is exactly twice the input, for any kernel size
    return keras.Sequential([
        keras.Input(shape=(None, None, latent_channels)),
        layers.Conv2DTranspose(out_channels, kernel_size=4, strides=2, padding="same"),
        layers.Activation("sigmoid"),
    ])
