def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    # Flatten works out the size itself
    return keras.Sequential([
        layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(n_classes),
    ])
