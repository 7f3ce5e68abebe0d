def build_head(channels, n_classes):
    return nn.Sequential(nn.AdaptiveMaxPool2d(output_size=1), nn.Flatten(start_dim=1), nn.Linear(channels, n_classes))
