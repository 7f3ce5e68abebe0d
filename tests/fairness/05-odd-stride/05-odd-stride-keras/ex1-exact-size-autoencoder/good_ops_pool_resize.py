# Functional model whose padding, pooling, upsampling and crop are keras.ops calls, not layers:
# only the convolutions appear in model.layers, the 7 x 7 code is an op's output.
def build_autoencoder(height, width, channels=1):
    ph, pw = -height % 4, -width % 4
    inputs = keras.Input((height, width, channels))
    x = ops.pad(inputs, [[0, 0], [0, ph], [0, pw], [0, 0]])
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = ops.max_pool(x, 2, 2)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = ops.max_pool(x, 2, 2)
    x = ops.image.resize(x, ((height + ph) // 2, (width + pw) // 2), interpolation="nearest")
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = ops.image.resize(x, (height + ph, width + pw), interpolation="nearest")
    x = layers.Conv2D(channels, 3, padding="same")(x)
    return keras.Model(inputs, x[:, :height, :width, :])
