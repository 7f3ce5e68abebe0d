# The autoencoder as a Sequential of the two sub-models; the decoder reshapes with a (-1)-free target.
def build_dense_autoencoder(side=28, latent=32):
    encoder = keras.Sequential([keras.Input((side, side, 1)), layers.Reshape((side * side,)), layers.Dense(latent)])
    decoder = keras.Sequential([keras.Input((latent,)), layers.Dense(side * side, activation="sigmoid"),
                                layers.Reshape((side, side, 1))])
    autoencoder = keras.Sequential([keras.Input((side, side, 1)), encoder, decoder])
    return encoder, decoder, autoencoder
