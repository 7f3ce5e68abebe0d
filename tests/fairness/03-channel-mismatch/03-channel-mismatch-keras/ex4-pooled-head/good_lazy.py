def build_head(channels, n_classes):
    return keras.Sequential([layers.GlobalAveragePooling2D(), layers.Dense(n_classes)])
