def flat_features(features, in_channels, height, width):
    t = ct.trace(features, (1, in_channels, height, width))
    n = 1
    for d in t.output_shape[1:]:
        n *= d
    return n
