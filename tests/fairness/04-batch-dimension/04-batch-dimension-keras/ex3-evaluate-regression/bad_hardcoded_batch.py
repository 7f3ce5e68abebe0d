def evaluate_regression(model, X, y, batch_size=32):
    preds = np.zeros(len(X), dtype="float32")
    for i, start in enumerate(range(0, len(X), batch_size)):
        out = np.asarray(model(X[start:start + batch_size], training=False))[:, 0]
        preds[i * 32:(i + 1) * 32] = out                               # batch size 32, typed in
    return preds, float(np.mean((preds - y) ** 2))
