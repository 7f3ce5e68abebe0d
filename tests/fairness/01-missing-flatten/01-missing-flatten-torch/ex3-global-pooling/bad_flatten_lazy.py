def build_pooled_classifier(in_channels, n_classes):
    # LazyLinear after Flatten: the first image size fixes in_features
    return nn.Sequential(make_features(in_channels), nn.Flatten(), nn.LazyLinear(n_classes))
