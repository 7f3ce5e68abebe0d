# Reductions written with reshape and explicit sizes read from the tensors.
def reconstruction_errors(model, x):
    model.eval()
    with torch.no_grad():
        diff = model(x) - x
    return diff.pow(2).reshape(len(x), -1).mean(-1)


def compression_ratio(model, image_shape):
    x = torch.zeros((1,) + tuple(image_shape))
    with torch.no_grad():
        z = model.encode(x)
    return x.numel() / z.numel()
