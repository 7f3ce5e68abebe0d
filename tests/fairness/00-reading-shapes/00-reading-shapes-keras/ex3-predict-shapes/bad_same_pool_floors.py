def predict_shapes(input_shape):
    # treats the 'same' pool like a 'valid' one (floors instead of rounding up)
    n, h, w, _ = input_shape
    out = [(n, h, w, 8)]
    h, w = h // 2, w // 2
    out.append((n, h, w, 8))
    h, w = (h - 3) // 2 + 1, (w - 3) // 2 + 1
    out += [(n, h, w, 16), (n, h, w, 16)]
    h, w = h // 2, w // 2
    out.append((n, h, w, 16))
    h, w = 2 * h, 2 * w
    out.append((n, h, w, 8))
    h, w = (h - 1) * 2 + 3, (w - 1) * 2 + 3
    out += [(n, h, w, 4), (n, h * w * 4)]
    return out
