def build_reducer(in_channels, mid_channels, out_channels):
    # Dense on the last axis of (N, H, W, C) is a 1x1 convolution
    return keras.Sequential([
        keras.Input((None, None, in_channels)),
        layers.Dense(mid_channels, activation="relu"),
        layers.Conv2D(out_channels, 3, padding="same", activation="relu"),
    ])
