def build_conv_stack(in_channels, widths):
    # 'valid' padding shrinks every conv's output by 2
    model = keras.Sequential([keras.Input((None, None, in_channels))])
    for width in widths:
        model.add(layers.Conv2D(width, 3, activation="relu"))
        model.add(layers.MaxPooling2D(2))
    return model
