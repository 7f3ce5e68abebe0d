# Pads "the last two axes" after a reshape to (N, C, H, W): the shape comes out right, but reshape
# does not move the channel axis, so values of different channels are mixed up.
def match_to(x, ref):
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    H, W = ref.shape[1], ref.shape[2]
    nchw = ops.reshape(x, (-1, c, h, w))
    nchw = nchw[:, :, :H, :W]
    nchw = ops.pad(nchw, [[0, 0], [0, 0], [0, H - min(h, H)], [0, W - min(w, W)]])
    return ops.reshape(nchw, (-1, H, W, c))
