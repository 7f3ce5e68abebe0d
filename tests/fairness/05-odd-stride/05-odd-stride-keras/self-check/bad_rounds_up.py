# Rounds every pooled size up, as if the pooling were 'same'.
predictions = {
    "MaxPooling2D(3) on (4, 128, 128, 8)": (4, 43, 43, 8),
    "Conv2D(16, 3, strides=2, padding='same') on (2, 31, 31, 1)": (2, 16, 16, 16),
    "Conv2DTranspose(8, 3, strides=2, padding='same') on (2, 16, 16, 16)": (2, 32, 32, 8),
    "Conv2DTranspose(8, 3, strides=2, padding='same', output_padding=0) on (2, 16, 16, 16)": (2, 31, 31, 8),
    "MaxPooling2D(2) on (1, 7, 9, 32)": (1, 4, 5, 32),
}
