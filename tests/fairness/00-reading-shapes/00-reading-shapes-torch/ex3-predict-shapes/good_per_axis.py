def predict_shapes(input_shape):
    n, _, height, width = input_shape

    def spatial(size):
        a = (size + 4 - 5) // 1 + 1          # conv k5 p2
        b = a // 2                           # pool
        c = (b - 3) // 2 + 1                 # conv k3 s2
        d = (c + 4 - 2 * 2 - 1) + 1          # dilated conv
        e = (d - 1) * 2 - 2 + 2 + 1 + 1      # transposed conv
        return [a, a, b, c, c, d, e, e, e]

    hs, ws = spatial(height), spatial(width)
    chans = [8, 8, 8, 16, 16, 16, 8, 8, 4]
    out = [(n, ch, h, w) for ch, h, w in zip(chans, hs, ws)]
    return out + [(n, 4 * hs[-1] * ws[-1])]
