# padding='valid' gives 2n + 1; crop one or two rows/columns to reach the requested size.
def upsample_to(x, size, filters):
    y = layers.Conv2DTranspose(filters, 3, strides=2, padding="valid", activation="relu")(x)
    extra_h, extra_w = y.shape[1] - size[0], y.shape[2] - size[1]
    return layers.Cropping2D(((extra_h // 2, extra_h - extra_h // 2), (extra_w // 2, extra_w - extra_w // 2)))(y)
