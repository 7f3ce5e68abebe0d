def predict_one(model, x):
    if x.dim() == 3:
        x = x.unsqueeze(0)
    model.eval()                                 # ...and never switched back
    with torch.no_grad():
        return model(x)[0]
