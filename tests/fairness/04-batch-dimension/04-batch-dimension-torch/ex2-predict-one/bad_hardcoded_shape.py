def predict_one(model, x):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(x.view(1, 1, 28, 28))[0]     # the digits' shape, typed in
    model.train(was_training)
    return out
