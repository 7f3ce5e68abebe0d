class DigitCNN(keras.Model):
    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = n_classes
        self.body = [layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
                     layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten()]

    def call(self, x):
        for layer in self.body:
            x = layer(x)
        return layers.Dense(self.n_classes)(x)   # a fresh, untrained head at every call


def build_digit_cnn(height=28, width=28, channels=1, n_classes=10):
    return DigitCNN(n_classes)
