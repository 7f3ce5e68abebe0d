def predict_all(model, loader):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        preds = [model(xb).squeeze() for xb, _ in loader]   # a batch of one becomes 0-d
    model.train(was_training)
    return torch.cat(preds)
