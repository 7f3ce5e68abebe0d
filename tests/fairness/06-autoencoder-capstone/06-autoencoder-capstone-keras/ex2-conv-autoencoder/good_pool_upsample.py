# Max-pooling down, UpSampling2D + same-padded convolutions up.
def build_conv_autoencoder(channels=1, code_channels=8):
    encoder = keras.Sequential([
        keras.Input((None, None, channels)),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(code_channels, 3, padding="same", activation="relu"), layers.MaxPooling2D(2)])
    decoder = keras.Sequential([
        keras.Input((None, None, code_channels)),
        layers.UpSampling2D(2), layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.UpSampling2D(2), layers.Conv2D(channels, 3, padding="same", activation="sigmoid")])
    img = keras.Input((None, None, channels))
    return encoder, decoder, keras.Model(img, decoder(encoder(img)))
