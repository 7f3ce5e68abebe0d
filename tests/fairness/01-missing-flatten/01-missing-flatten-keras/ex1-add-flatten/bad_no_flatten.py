def build_classifier(in_channels, size, n_classes):
    return keras.Sequential([keras.Input((size, size, in_channels)), *conv_body(),
                             layers.Dense(n_classes, activation="softmax")])
