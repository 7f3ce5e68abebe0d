def build_classifier(in_channels, size, n_classes):
    model = keras.Sequential()
    model.add(keras.Input((size, size, in_channels)))
    for layer in conv_body():
        model.add(layer)
    model.add(layers.Reshape((-1,)))      # Keras works out the -1
    model.add(layers.Dense(n_classes, activation="softmax"))
    return model
