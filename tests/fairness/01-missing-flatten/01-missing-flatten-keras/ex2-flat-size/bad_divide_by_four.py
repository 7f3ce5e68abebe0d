def flat_size(make_body, in_channels, height, width):
    # "two poolings divide by 4" (the arithmetic of build_broken_reshape)
    return height // 4 * width // 4 * 16
