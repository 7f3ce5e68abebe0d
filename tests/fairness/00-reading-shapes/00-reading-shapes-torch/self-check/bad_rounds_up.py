shape_predictions = {}
# the stride-2 convolution rounded up instead of down: (20 - 5) / 2 + 1 = 8.5 -> 9
shape_predictions.update(a=(2, 8, 15, 9), b=(5, 16, 3, 4), c=(4, 3, 10, 6), d=(1, 4, 10, 14), e=(8, 6, 6, 10))
