# padding='same' (output_padding=None) always gives 2n; crop the last row/column when 2n - 1 is wanted.
def upsample_to(x, size, filters):
    y = layers.Conv2DTranspose(filters, kernel_size=3, strides=2, padding="same")(x)
    y = layers.Cropping2D(((0, y.shape[1] - size[0]), (0, y.shape[2] - size[1])))(y)
    return layers.ReLU()(y)
