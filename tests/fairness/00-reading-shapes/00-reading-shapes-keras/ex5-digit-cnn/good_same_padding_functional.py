def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    # padding="same" makes the author's assumption true: conv keeps the size, pool halves it
    inputs = keras.Input(shape=(height, width, channels))
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Reshape(((height // 4) * (width // 4) * 16,))(x)
    return keras.Model(inputs, layers.Dense(n_classes)(x))
