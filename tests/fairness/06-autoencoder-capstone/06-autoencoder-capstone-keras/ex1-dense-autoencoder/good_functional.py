# Functional API throughout, decoder applied to the encoder's output tensor.
def build_dense_autoencoder(side=28, latent=32):
    img = keras.Input((side, side, 1))
    z = layers.Dense(latent)(layers.Dense(64, activation="relu")(layers.Flatten()(img)))
    encoder = keras.Model(img, z)
    code = keras.Input((latent,))
    h = layers.Dense(64, activation="relu")(code)
    h = layers.Dense(side * side, activation="sigmoid")(h)
    decoder = keras.Model(code, layers.Reshape((side, side, 1))(h))
    return encoder, decoder, keras.Model(img, decoder(encoder(img)))
