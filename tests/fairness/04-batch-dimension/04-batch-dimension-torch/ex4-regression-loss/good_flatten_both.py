def regression_loss(pred, target):
    return nn.MSELoss()(pred.reshape(-1), target.reshape(-1).to(pred.dtype))
