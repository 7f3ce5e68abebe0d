def build_head(channels, n_classes):
    # built from the first batch: Dense's input size then depends on that batch's H and W
    return keras.Sequential([layers.Flatten(), layers.Dense(n_classes)])
