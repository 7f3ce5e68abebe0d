def evaluate_regression(model, X, y, batch_size=32):
    chunks = []
    for start in range(0, len(X), batch_size):
        out = model(X[start:start + batch_size], training=False)     # (B, 1)
        chunks.append(ops.convert_to_numpy(out).squeeze(axis=-1))    # (B,), also for B == 1
    preds = np.concatenate(chunks)
    return preds, float(((preds - y) ** 2).mean())
