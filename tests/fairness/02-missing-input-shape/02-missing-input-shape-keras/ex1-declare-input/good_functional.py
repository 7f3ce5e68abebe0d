def build_sequence_classifier(timesteps, features, n_classes, units=16):
    inputs = keras.Input((timesteps, features), name="recordings")
    hidden = layers.LSTM(units)(inputs)
    outputs = layers.Dense(n_classes, activation="softmax")(hidden)
    return keras.Model(inputs, outputs)
