# Filled in one by one with the notebook's own conv_out formula.
predictions = {}
predictions["MaxPooling2D(3) on (4, 128, 128, 8)"] = (4, conv_out(128, 3, 3), conv_out(128, 3, 3), 8)
predictions["Conv2D(16, 3, strides=2, padding='same') on (2, 31, 31, 1)"] = (2, conv_out(31, 3, 2, "same"), 16, 16)
predictions["Conv2DTranspose(8, 3, strides=2, padding='same') on (2, 16, 16, 16)"] = (2, 2 * 16, 2 * 16, 8)
predictions["Conv2DTranspose(8, 3, strides=2, padding='same', output_padding=0) on (2, 16, 16, 16)"] = (2, 2 * 16 - 1, 2 * 16 - 1, 8)
predictions["MaxPooling2D(2) on (1, 7, 9, 32)"] = (1, conv_out(7, 2, 2), conv_out(9, 2, 2), 32)
