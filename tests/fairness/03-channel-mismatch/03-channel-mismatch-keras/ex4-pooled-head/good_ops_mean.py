def build_head(channels, n_classes):
    features = keras.Input((None, None, channels))
    pooled = keras.ops.mean(features, axis=(1, 2))  # average over height and width
    return keras.Model(features, layers.Dense(n_classes)(pooled))
