def regression_loss(pred, target):
    return ((pred - target.unsqueeze(1)) ** 2).mean()
