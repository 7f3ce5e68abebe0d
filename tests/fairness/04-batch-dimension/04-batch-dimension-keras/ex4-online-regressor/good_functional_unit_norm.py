def build_online_regressor(n_features=64):
    inputs = keras.Input(shape=(n_features,))
    hidden = layers.Dense(32)(inputs)
    hidden = layers.UnitNormalization()(hidden)     # each sample scaled to length 1 on its own
    hidden = layers.Activation("relu")(hidden)
    return keras.Model(inputs, layers.Dense(1)(hidden))
