def build_pooled_classifier(in_channels, n_classes):
    return keras.Sequential([keras.Input((None, None, in_channels)), *conv_body(),
                             layers.GlobalAveragePooling2D(keepdims=True),   # (N, 1, 1, 16)
                             layers.Flatten(),                               # (N, 16)
                             layers.Dense(n_classes, activation="softmax")])
