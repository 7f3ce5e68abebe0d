def build_online_regressor(n_features=64):
    return keras.Sequential([
        keras.Input((n_features,)),
        layers.Dense(32),
        layers.GroupNormalization(groups=4),        # statistics per sample, over groups of 8 features
        layers.ReLU(),
        layers.Dense(1),
    ])
