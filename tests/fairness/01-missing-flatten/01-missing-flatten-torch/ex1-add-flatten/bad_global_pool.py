def build_classifier(in_channels, size, n_classes):
    # right shapes, but not one Linear over all the features (Exercise 3 is about this head)
    return nn.Sequential(make_features(in_channels), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(16, n_classes))
