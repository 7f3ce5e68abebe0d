def predict_one(model, x):
    return model.predict(np.asarray(x)[None], verbose=0)[0]   # (1, H, W, C) becomes 5-D
