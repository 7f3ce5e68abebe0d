def predict_one(model, x):
    batch = x if x.dim() == 4 else x[None]
    mode = model.training
    model.train(False)
    with torch.inference_mode():
        out = model(batch).squeeze(0)
    model.train(mode)
    return out
