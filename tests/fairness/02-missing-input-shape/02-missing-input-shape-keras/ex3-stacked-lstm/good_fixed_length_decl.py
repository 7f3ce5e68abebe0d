def build_stacked_classifier(features, n_classes, units=32):
    # declares 24 steps; a Sequential model checks only the rank of real data, so other lengths run
    model = keras.Sequential()
    model.add(keras.Input(shape=(24, features)))
    model.add(layers.LSTM(units, return_sequences=True))
    model.add(layers.LSTM(units))
    model.add(layers.Dense(n_classes))
    model.add(layers.Softmax())
    return model
