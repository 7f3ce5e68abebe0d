# A Sequential model: pad evenly on both sides to a multiple of 4, crop the same amounts back.
def build_autoencoder(height, width, channels=1):
    ph, pw = (4 - height % 4) % 4, (4 - width % 4) % 4
    pads = ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2))
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.ZeroPadding2D(pads),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.UpSampling2D(2), layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.UpSampling2D(2), layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.Conv2D(channels, 3, padding="same"),
        layers.Cropping2D(pads),
    ])
