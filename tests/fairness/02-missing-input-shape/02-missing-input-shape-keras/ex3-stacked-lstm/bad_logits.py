def build_stacked_classifier(features, n_classes, units=32):
    # no softmax: the outputs are not probabilities
    return keras.Sequential([
        keras.Input(shape=(None, features)),
        layers.LSTM(units, return_sequences=True),
        layers.LSTM(units),
        layers.Dense(n_classes),
    ])
