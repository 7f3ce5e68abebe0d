def build_pooled_classifier(in_channels, n_classes):
    # any size is resized to 28x28 first: it runs, but the Flatten head has 5,770 parameters
    return keras.Sequential([keras.Input((None, None, in_channels)), layers.Resizing(28, 28), *conv_body(),
                             layers.Flatten(), layers.Dense(n_classes, activation="softmax")])
