def build_model(height=28, width=28, channels=1, n_outputs=10):
    inputs = keras.Input(shape=(height, width, channels))
    x = inputs
    for filters in (8, 16):
        x = layers.Conv2D(filters, 3, padding="same")(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Reshape((-1,))(x)                 # the target shape excludes the batch axis
    return keras.Model(inputs, layers.Dense(n_outputs)(x))
