def build_reducer(in_channels, mid_channels, out_channels):
    return keras.Sequential([
        keras.Input((None, None, in_channels)),
        layers.Conv2D(mid_channels, 3, padding="same", activation="relu"),
        layers.Conv2D(out_channels, 1, activation="relu"),
    ])
