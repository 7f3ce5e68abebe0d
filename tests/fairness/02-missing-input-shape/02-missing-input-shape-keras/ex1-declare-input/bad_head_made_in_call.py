class SequenceClassifier(keras.Model):
    def __init__(self, n_classes, units):
        super().__init__()
        self.n_classes = n_classes
        self.lstm = layers.LSTM(units)

    def call(self, x):
        # a fresh, untrained Dense at every call: not part of the model, never trained
        return layers.Dense(self.n_classes, activation="softmax")(self.lstm(x))


def build_sequence_classifier(timesteps, features, n_classes, units=16):
    model = SequenceClassifier(n_classes, units)
    model(np.zeros((1, timesteps, features), "float32"))   # builds it before it sees real data
    return model
