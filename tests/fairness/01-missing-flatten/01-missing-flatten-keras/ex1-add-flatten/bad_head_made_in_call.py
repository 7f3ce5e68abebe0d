class Classifier(keras.Model):
    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = n_classes
        self.body = conv_body()
        self.flatten = layers.Flatten()

    def call(self, x):
        for layer in self.body:
            x = layer(x)
        # a fresh, untrained Dense at every call: the model never owns (or trains) its head
        return layers.Dense(self.n_classes, activation="softmax")(self.flatten(x))


def build_classifier(in_channels, size, n_classes):
    return Classifier(n_classes)
