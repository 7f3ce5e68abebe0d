# Exact size, but nothing is ever downsampled: not an autoencoder.
def build_autoencoder(height, width, channels=1):
    return keras.Sequential([keras.Input((height, width, channels)),
                             layers.Conv2D(8, 3, padding="same", activation="relu"),
                             layers.Conv2D(channels, 3, padding="same")])
