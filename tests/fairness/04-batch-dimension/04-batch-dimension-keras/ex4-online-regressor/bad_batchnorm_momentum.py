def build_online_regressor(n_features=64):
    # a different momentum changes the moving averages, not the batch statistics used in training
    return keras.Sequential([keras.Input((n_features,)), layers.Dense(32),
                             layers.BatchNormalization(momentum=0.0), layers.ReLU(), layers.Dense(1)])
