import math


def predict_shapes(input_shape):
    n, height, width, _ = input_shape

    def sizes(x):
        a = x                                   # same
        b = x // 2                              # pool, valid
        c = (b - 3) // 2 + 1                    # valid, stride 2
        d = c                                   # same, stride 1
        e = math.ceil(d / 2)                    # pool, same, stride 2
        f = e * 2                               # transposed, same
        g = (f - 1) * 2 + max(3, 2)             # transposed, valid
        return [a, b, c, d, e, f, g]

    hs, ws = sizes(height), sizes(width)
    channels = [8, 8, 16, 16, 16, 8, 4]
    result = [(n, hh, ww, ch) for hh, ww, ch in zip(hs, ws, channels)]
    result.append((n, hs[-1] * ws[-1] * 4))
    return result
