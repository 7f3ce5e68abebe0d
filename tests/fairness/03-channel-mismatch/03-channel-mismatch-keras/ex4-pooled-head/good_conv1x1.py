def build_head(channels, n_classes):
    # a 1x1 conv is a Dense applied at every position; averaging afterwards = averaging before
    return keras.Sequential([
        keras.Input((None, None, channels)),
        layers.Conv2D(n_classes, 1),
        layers.GlobalAveragePooling2D(),
    ])
