def predict_one(model, x):
    x = np.asarray(x, dtype="float32")
    if x.ndim == 3:
        x = np.expand_dims(x, axis=0)
    return model.predict(x, verbose=0)[0]
