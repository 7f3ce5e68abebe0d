def predict_one(model, x):
    per_sample = tuple(model.input_shape[1:])
    batch = ops.reshape(ops.convert_to_tensor(x), (1,) + per_sample)   # (H, W, C) or (1, H, W, C)
    return ops.convert_to_numpy(model(batch, training=False))[0]
