def flat_size(make_body, in_channels, height, width):
    # assumes square images: height used for both sides
    x = keras.KerasTensor((None, height, height, in_channels))
    for layer in make_body():
        x = layer(x)
    return int(np.prod(x.shape[1:]))
