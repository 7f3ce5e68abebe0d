# squeeze() at the end: one error per image, except for a batch of 1, which becomes a 0-d tensor.
def reconstruction_errors(model, x):
    with torch.no_grad():
        return ((model(x) - x) ** 2).mean(dim=(1, 2, 3)).squeeze()


def compression_ratio(model, image_shape):
    model.eval()
    with torch.no_grad():
        code = model.encode(torch.zeros(1, *image_shape))
    return float(np.prod(image_shape)) / code[0].numel()
