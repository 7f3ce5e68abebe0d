# Every layer right, but the models are built for keras.Input((28, 28, channels)) only.
def build_conv_autoencoder(channels=1, code_channels=8):
    encoder = keras.Sequential([
        keras.Input((28, 28, channels)),
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(code_channels, 3, strides=2, padding="same", activation="relu"),
    ], name="encoder")
    decoder = keras.Sequential([
        keras.Input((7, 7, code_channels)),
        layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="sigmoid"),
    ], name="decoder")
    inp = keras.Input((28, 28, channels))
    return encoder, decoder, keras.Model(inp, decoder(encoder(inp)))
