def flat_features(features, in_channels, height, width):
    was_training = features.training
    features.eval()
    with torch.no_grad():
        out = features(torch.rand(3, in_channels, height, width))
    features.train(was_training)
    return int(np.prod(out.shape[1:]))
