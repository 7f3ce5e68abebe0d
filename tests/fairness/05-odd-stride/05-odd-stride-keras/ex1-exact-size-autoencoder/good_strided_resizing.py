# Stride-2 convolutions down, transposed convolutions up, then Resizing to the input size.
def build_autoencoder(height, width, channels=1):
    inputs = keras.Input(shape=(height, width, channels))
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(channels, 3, padding="same")(x)
    return keras.Model(inputs, layers.Resizing(height, width)(x))
