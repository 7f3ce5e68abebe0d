class Reducer(keras.Model):
    def __init__(self, in_channels, mid_channels, out_channels):
        super().__init__()
        self.mid, self.out = mid_channels, out_channels
        self.reduce = layers.Conv2D(mid_channels, 1, activation="relu")
        self.conv = layers.Conv2D(out_channels, 3, padding="same", activation="relu")

    def call(self, x):
        # the constructor's layers are built, but a fresh 3x3 conv runs instead of self.conv
        self.conv(self.reduce(x))
        return layers.Conv2D(self.out, 3, padding="same", activation="relu")(self.reduce(x))


def build_reducer(in_channels, mid_channels, out_channels):
    return Reducer(in_channels, mid_channels, out_channels)
