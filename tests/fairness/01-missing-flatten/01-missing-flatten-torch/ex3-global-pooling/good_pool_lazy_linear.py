def build_pooled_classifier(in_channels, n_classes):
    # after global pooling the feature count no longer depends on the size, so LazyLinear is safe
    return nn.Sequential(make_features(in_channels), nn.AdaptiveAvgPool2d(1), nn.Flatten(1),
                         nn.LazyLinear(n_classes))
