def build_sequence_classifier(timesteps, features, n_classes, units=16):
    model = keras.Sequential([layers.LSTM(units), layers.Dense(n_classes, activation="softmax")])
    model.build((None, timesteps, features))
    return model
