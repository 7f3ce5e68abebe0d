def flat_features(features, in_channels, height, width):
    # assumes square images: uses height for both sides
    with torch.no_grad():
        out = features(torch.zeros(1, in_channels, height, height))
    return int(out[0].numel())
