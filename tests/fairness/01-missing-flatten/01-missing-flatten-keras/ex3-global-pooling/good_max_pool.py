def build_pooled_classifier(in_channels, n_classes):
    return keras.Sequential([keras.Input((None, None, in_channels)), *conv_body(),
                             layers.GlobalMaxPooling2D(), layers.Dense(n_classes, activation="softmax")])
