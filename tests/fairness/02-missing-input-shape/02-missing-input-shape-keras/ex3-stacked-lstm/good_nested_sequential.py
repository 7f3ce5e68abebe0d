def build_stacked_classifier(features, n_classes, units=32):
    # the recurrent part as its own model inside the classifier
    encoder = keras.Sequential([layers.LSTM(units, return_sequences=True), layers.LSTM(units)], name="encoder")
    inputs = keras.Input(shape=(None, features))
    return keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(encoder(inputs)))
