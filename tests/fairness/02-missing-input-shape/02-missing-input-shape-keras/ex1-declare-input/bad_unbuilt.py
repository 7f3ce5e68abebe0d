def build_sequence_classifier(timesteps, features, n_classes, units=16):
    # builds on the first batch only: no parameters before training
    return keras.Sequential([layers.LSTM(units), layers.Dense(n_classes, activation="softmax")])
