def build_conv_stack(in_channels, widths):
    # no keras.Input: the model is built from the first batch, whatever its channels and size
    blocks = []
    for width in widths:
        blocks += [layers.Conv2D(width, 3, padding="same", activation="relu"), layers.MaxPooling2D()]
    return keras.Sequential(blocks)
