def match_to(x, ref):
    h, w = ref.shape[-2], ref.shape[-1]
    x = x[:, :, :h, :w]                                   # crop when x is larger
    return F.pad(x, (0, w - x.shape[-1], 0, h - x.shape[-2]), mode="replicate")  # pad when smaller
