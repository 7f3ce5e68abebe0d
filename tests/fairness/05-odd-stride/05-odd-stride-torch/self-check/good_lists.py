# Lists instead of tuples: the same shapes.
predictions = {
    "MaxPool2d(3) on (4, 8, 128, 128)": [4, 8, 42, 42],
    "Conv2d(1, 16, 3, stride=2, padding=1) on (2, 1, 31, 31)": [2, 16, 16, 16],
    "ConvTranspose2d(16, 8, 3, stride=2, padding=1) on (2, 16, 16, 16)": [2, 8, 31, 31],
    "ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1) on (2, 16, 16, 16)": [2, 8, 32, 32],
    "MaxPool2d(2) on (1, 32, 7, 9)": [1, 32, 3, 4],
}
