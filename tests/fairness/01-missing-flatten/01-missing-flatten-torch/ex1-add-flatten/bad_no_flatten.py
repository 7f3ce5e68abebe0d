def build_classifier(in_channels, size, n_classes):
    s = (size - 4) // 2 // 2
    return nn.Sequential(make_features(in_channels), nn.Linear(16 * s * s, n_classes))
