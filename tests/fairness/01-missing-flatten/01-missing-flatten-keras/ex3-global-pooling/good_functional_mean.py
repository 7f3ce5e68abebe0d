def build_pooled_classifier(in_channels, n_classes):
    inputs = keras.Input((None, None, in_channels))
    x = inputs
    for layer in conv_body():
        x = layer(x)
    x = keras.ops.mean(x, axis=(1, 2))         # average over height and width
    return keras.Model(inputs, layers.Dense(n_classes, activation="softmax")(x))
