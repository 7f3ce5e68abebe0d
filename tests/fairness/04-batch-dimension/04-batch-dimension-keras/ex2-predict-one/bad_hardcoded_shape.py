def predict_one(model, x):
    return np.asarray(model(np.reshape(x, (1, 28, 28, 1)), training=False))[0]   # the digits' shape
