def flat_size(make_body, in_channels, height, width):
    x = keras.KerasTensor((None, height, width, in_channels))
    for layer in make_body():
        x = layer(x)
    return x.shape[-1]             # the channels only
