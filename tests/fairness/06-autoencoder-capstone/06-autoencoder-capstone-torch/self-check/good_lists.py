predictions = {
    "nn.Flatten() on (8, 1, 28, 28)": [8, 784],
    "nn.Unflatten(1, (1, 28, 28)) on (8, 784)": [8, 1, 28, 28],
    "nn.Conv2d(1, 16, 3, stride=2, padding=1) on (8, 1, 28, 28)": [8, 16, 14, 14],
    "nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1) on (8, 16, 14, 14)": [8, 1, 28, 28],
    "a (8, 1, 28, 28) tensor minus an (8, 28, 28) tensor": [8, 8, 28, 28],
}
