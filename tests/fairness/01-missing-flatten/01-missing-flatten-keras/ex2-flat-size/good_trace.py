def flat_size(make_body, in_channels, height, width):
    t = ck.trace(keras.Sequential(make_body()), (None, height, width, in_channels))
    return int(np.prod(t.output_shape[1:]))
