def evaluate_regression(model, X, y, batch_size=32):
    preds = np.reshape(model.predict(X, batch_size=batch_size, verbose=0), (-1,))
    errors = preds - np.reshape(y, (-1,))
    return preds, float(np.mean(np.square(errors)))
