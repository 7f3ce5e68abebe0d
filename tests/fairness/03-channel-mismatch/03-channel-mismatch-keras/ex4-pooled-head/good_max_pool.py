def build_head(channels, n_classes):
    features = keras.Input(shape=(None, None, channels))
    pooled = layers.GlobalMaxPooling2D()(features)
    return keras.Model(features, layers.Dense(n_classes)(pooled))
