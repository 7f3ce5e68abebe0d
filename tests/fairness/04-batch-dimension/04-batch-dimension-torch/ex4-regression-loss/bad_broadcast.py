def regression_loss(pred, target):
    return F.mse_loss(pred, target)
