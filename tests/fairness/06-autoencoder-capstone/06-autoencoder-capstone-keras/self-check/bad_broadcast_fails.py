# Believes the one-value subtraction keeps the smaller shape, and 'same' rounds 28 / 2 to 13.
predictions = {
    "layers.Flatten() on (8, 28, 28, 1)": (8, 784),
    "layers.Reshape((28, 28, 1)) on (8, 784)": (8, 28, 28, 1),
    "layers.Conv2D(16, 3, strides=2, padding='same') on (8, 28, 28, 1)": (8, 13, 13, 16),
    "layers.Conv2DTranspose(1, 3, strides=2, padding='same') on (8, 14, 14, 16)": (8, 28, 28, 1),
    "an (8, 784) tensor minus an (8, 1) tensor": (8, 1),
}
