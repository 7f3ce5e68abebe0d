def build_classifier(in_channels, size, n_classes):
    # LazyLinear: PyTorch sets in_features at the first forward pass; a dry run initializes it
    model = nn.Sequential(make_features(in_channels), nn.Flatten(), nn.LazyLinear(n_classes))
    with torch.no_grad():
        model(torch.zeros(1, in_channels, size, size))
    return model
