def build_online_regressor(n_features=64):
    return keras.Sequential([keras.Input((n_features,)), layers.Dense(32, activation="relu"), layers.Dense(1)])
