def build_stacked_classifier(features, n_classes, units=32):
    inputs = keras.Input(shape=(None, features))
    seq = layers.LSTM(units, return_sequences=True)(inputs)
    last = layers.LSTM(units)(seq)
    return keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(last))
