def predict_one(model, x):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(x.unsqueeze(0))[0]           # (1, C, H, W) becomes 5-D
    model.train(was_training)
    return out
