# One number for the whole batch instead of one per sample.
def reconstruction_errors(model, x):
    with torch.no_grad():
        return F.mse_loss(model(x), x)


def compression_ratio(model, image_shape):
    with torch.no_grad():
        z = model.encode(torch.zeros(1, *image_shape))
    return float(np.prod(image_shape)) / z[0].numel()
