def build_reducer(in_channels, mid_channels, out_channels):
    x = inputs = keras.Input((None, None, in_channels))
    x = layers.Conv2D(mid_channels, (1, 1))(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(out_channels, (3, 3), padding="same")(x)
    return keras.Model(inputs, layers.Activation("relu")(x))
