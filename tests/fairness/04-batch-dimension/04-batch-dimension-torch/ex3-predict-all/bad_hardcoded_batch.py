def predict_all(model, loader):
    was_training = model.training
    model.eval()
    out = torch.zeros(len(loader.dataset))
    with torch.no_grad():
        for i, (xb, _) in enumerate(loader):
            out[i * 7:(i + 1) * 7] = model(xb)[:, 0]         # batch size 7, typed in
    model.train(was_training)
    return out
