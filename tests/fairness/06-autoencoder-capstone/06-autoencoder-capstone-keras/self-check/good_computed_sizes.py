# Filled in one by one, sizes written as the arithmetic behind them.
predictions = {}
predictions["layers.Flatten() on (8, 28, 28, 1)"] = (8, 28 * 28 * 1)
predictions["layers.Reshape((28, 28, 1)) on (8, 784)"] = (8, 28, 28, 1)
predictions["layers.Conv2D(16, 3, strides=2, padding='same') on (8, 28, 28, 1)"] = (8, -(-28 // 2), -(-28 // 2), 16)
predictions["layers.Conv2DTranspose(1, 3, strides=2, padding='same') on (8, 14, 14, 16)"] = (8, 2 * 14, 2 * 14, 1)
predictions["an (8, 784) tensor minus an (8, 1) tensor"] = (8, 784)
