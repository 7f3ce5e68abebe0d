def build_head(channels, n_classes):
    # any size works, but the extra Dense layer adds parameters
    return keras.Sequential([keras.Input((None, None, channels)), layers.GlobalAveragePooling2D(),
                             layers.Dense(64, activation="relu"), layers.Dense(n_classes)])
