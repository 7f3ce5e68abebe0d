def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    # drops the Reshape: Dense maps the last axis only, giving (N, 5, 5, n_classes)
    return keras.Sequential([
        keras.Input(shape=(height, width, channels)),
        layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Dense(n_classes),
    ])
