def flat_size(make_body, in_channels, height, width):
    body = keras.Sequential(make_body())
    shape = body.compute_output_shape((None, height, width, in_channels))
    n = 1
    for d in shape[1:]:
        n *= d
    return n
