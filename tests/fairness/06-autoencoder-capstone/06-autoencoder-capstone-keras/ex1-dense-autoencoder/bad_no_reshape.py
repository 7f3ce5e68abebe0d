# The seed's bug: the decoder ends in Dense(784) with no Reshape.
def build_dense_autoencoder(side=28, latent=32):
    encoder = keras.Sequential([keras.Input((side, side, 1)), layers.Flatten(), layers.Dense(latent)])
    decoder = keras.Sequential([keras.Input((latent,)), layers.Dense(side * side, activation="sigmoid")])
    inp = keras.Input((side, side, 1))
    return encoder, decoder, keras.Model(inp, decoder(encoder(inp)))
