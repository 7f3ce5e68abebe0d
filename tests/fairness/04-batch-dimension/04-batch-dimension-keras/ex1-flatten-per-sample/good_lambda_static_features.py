def build_model(height=28, width=28, channels=1, n_outputs=10):
    def flatten_per_sample(t):
        # the feature count comes from the tensor itself; the batch stays -1
        return ops.reshape(t, (-1, int(np.prod(t.shape[1:]))))

    return keras.Sequential([
        keras.Input((height, width, channels)),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Lambda(flatten_per_sample),
        layers.Dense(n_outputs),
    ])
