def build_model(height=28, width=28, channels=1, n_outputs=10):
    # global average pooling: one value per filter, whatever the image size
    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.GlobalAveragePooling2D(),
        layers.Dense(n_outputs),
    ])
