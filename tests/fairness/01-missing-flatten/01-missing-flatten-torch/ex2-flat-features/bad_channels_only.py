def flat_features(features, in_channels, height, width):
    with torch.no_grad():
        out = features(torch.zeros(1, in_channels, height, width))
    return int(out.shape[1])       # the channel count, not channels * height * width
