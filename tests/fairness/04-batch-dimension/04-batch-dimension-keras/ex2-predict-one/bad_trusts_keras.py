def predict_one(model, x):
    return np.asarray(model(x, training=False))[0]     # no batch axis added
