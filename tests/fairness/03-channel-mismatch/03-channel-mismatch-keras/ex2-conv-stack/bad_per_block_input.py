def build_conv_stack(in_channels, widths):
    blocks = []
    for width in widths:
        blocks.append(keras.Sequential([
            keras.Input((None, None, in_channels)),
            layers.Conv2D(width, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
        ]))
    return keras.Sequential(blocks)
