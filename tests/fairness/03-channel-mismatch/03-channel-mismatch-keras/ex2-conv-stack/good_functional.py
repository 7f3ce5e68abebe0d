def build_conv_stack(in_channels, widths):
    inputs = keras.Input(shape=(None, None, in_channels))
    x = inputs
    for k, width in enumerate(widths):
        x = layers.Conv2D(width, (3, 3), padding="same", name=f"conv{k}")(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    return keras.Model(inputs, x, name="conv_stack")
