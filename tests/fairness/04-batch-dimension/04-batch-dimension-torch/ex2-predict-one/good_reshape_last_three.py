def predict_one(model, x):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(x.reshape(-1, *x.shape[-3:]))   # (C, H, W) or (1, C, H, W) -> (1, C, H, W)
    if was_training:
        model.train()
    return logits[0]
