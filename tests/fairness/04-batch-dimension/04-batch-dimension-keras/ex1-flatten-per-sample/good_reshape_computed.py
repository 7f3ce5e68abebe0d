def build_model(height=28, width=28, channels=1, n_outputs=10):
    n_features = (height // 4) * (width // 4) * 16
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Reshape((n_features,)),                  # per sample, computed from the sizes
        layers.Dense(n_outputs),
    ])
