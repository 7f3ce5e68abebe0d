# Two halvings and two doublings, no padding: exact for 28, 100 and 128 (multiples of 4) only.
def build_autoencoder(height, width, channels=1):
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.UpSampling2D(2), layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.UpSampling2D(2), layers.Conv2D(channels, 3, padding="same"),
    ])
