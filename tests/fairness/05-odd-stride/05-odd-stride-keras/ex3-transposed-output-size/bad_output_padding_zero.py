# output_padding=0 always: 2n - 1, never 2n.
def upsample_to(x, size, filters):
    return layers.Conv2DTranspose(filters, 3, strides=2, padding="same", output_padding=0)(x)
