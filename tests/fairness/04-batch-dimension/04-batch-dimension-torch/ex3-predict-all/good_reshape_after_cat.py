def predict_all(model, loader):
    mode = model.training
    model.train(False)
    outs = []
    with torch.inference_mode():
        for batch in loader:
            outs.append(model(batch[0]))         # keep (B, 1) as it is
    model.train(mode)
    return torch.cat(outs, dim=0).reshape(-1)    # (N, 1) -> (N,)
