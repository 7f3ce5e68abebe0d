def build_stacked_classifier(features, n_classes, units=32):
    # the first LSTM's last state, reshaped into a one-step "sequence": same parameters, but the
    # second LSTM reads one step instead of the sequence
    return keras.Sequential([
        keras.Input(shape=(None, features)),
        layers.LSTM(units),
        layers.Reshape((1, units)),
        layers.LSTM(units),
        layers.Dense(n_classes, activation="softmax"),
    ])
