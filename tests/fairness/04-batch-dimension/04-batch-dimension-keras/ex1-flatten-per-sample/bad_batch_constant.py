def build_model(height=28, width=28, channels=1, n_outputs=10):
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Lambda(lambda t: ops.reshape(t, (32, (height // 4) * (width // 4) * 16))),
        layers.Dense(n_outputs),
    ])
