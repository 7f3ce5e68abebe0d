def flat_size(make_body, in_channels, height, width):
    x = np.zeros((1, height, width, in_channels), dtype="float32")
    for layer in make_body():
        x = layer(x)
    return int(np.asarray(x).size)
