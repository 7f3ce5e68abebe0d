def build_online_regressor(n_features=64):
    return keras.Sequential([keras.Input((64,)), layers.Dense(32), layers.LayerNormalization(),
                             layers.ReLU(), layers.Dense(1)])
