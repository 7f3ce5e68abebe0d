def build_sequence_classifier(timesteps, features, n_classes, units=16):
    # the older style: works in Keras 3, with a UserWarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return keras.Sequential([
            layers.LSTM(units, input_shape=(timesteps, features)),
            layers.Dense(n_classes, activation="softmax"),
        ])
