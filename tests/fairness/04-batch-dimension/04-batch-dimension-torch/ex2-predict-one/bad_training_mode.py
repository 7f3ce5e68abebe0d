def predict_one(model, x):
    if x.dim() == 3:
        x = x.unsqueeze(0)
    with torch.no_grad():
        return model(x)[0]                       # BatchNorm1d still in training mode
