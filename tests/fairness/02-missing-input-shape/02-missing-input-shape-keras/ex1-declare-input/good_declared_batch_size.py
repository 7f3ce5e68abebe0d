def build_sequence_classifier(timesteps, features, n_classes, units=16):
    # a declared batch size: Keras 3.15 records it but runs any batch size
    return keras.Sequential([
        keras.Input(shape=(timesteps, features), batch_size=32),
        layers.LSTM(units),
        layers.Dense(n_classes, activation="softmax"),
    ])
