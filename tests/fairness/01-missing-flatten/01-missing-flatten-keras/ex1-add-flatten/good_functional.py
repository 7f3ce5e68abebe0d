def build_classifier(in_channels, size, n_classes):
    inputs = keras.Input(shape=(size, size, in_channels))
    x = inputs
    for layer in conv_body():
        x = layer(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
