# F.mse_loss with reduction="none", then a mean over all non-batch axes.
def reconstruction_errors(model, x):
    with torch.no_grad():
        per_pixel = F.mse_loss(model(x), x, reduction="none")
    return per_pixel.mean(dim=tuple(range(1, x.dim())))


def compression_ratio(model, image_shape):
    with torch.no_grad():
        code_size = model.encode(torch.zeros(1, *image_shape)).shape[1:].numel()
    image_size = 1
    for d in image_shape:
        image_size *= d
    return image_size / code_size
