# keras.ops work on symbolic and eager tensors alike: slice to crop, pad to grow (centred).
def match_to(x, ref):
    h, w = ref.shape[1], ref.shape[2]
    x = x[:, :h, :w, :]
    dh, dw = h - x.shape[1], w - x.shape[2]
    return ops.pad(x, [[0, 0], [dh // 2, dh - dh // 2], [dw // 2, dw - dw // 2], [0, 0]])
