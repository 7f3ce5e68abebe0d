def evaluate_regression(model, X, y, batch_size=32):
    preds = model.predict(X, batch_size=batch_size, verbose=0).squeeze()   # () when N == 1
    return preds, float(np.mean((preds - y) ** 2))
