def build_classifier(in_channels, size, n_classes):
    # no keras.Input: Keras builds the layers at the first call, from the data's shape
    return keras.Sequential(conv_body() + [layers.Flatten(), layers.Dense(n_classes), layers.Softmax()])
