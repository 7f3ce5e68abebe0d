# Two zero images in eval mode, code size per image read from the batch; errors via a loop.
import math


def reconstruction_errors(model, x):
    model.eval()
    with torch.no_grad():
        return torch.stack([F.mse_loss(model(img[None]), img[None]) for img in x])


def compression_ratio(model, image_shape):
    model.eval()
    with torch.no_grad():
        code = model.encode(torch.zeros((2,) + tuple(image_shape)))
    return (2 * math.prod(image_shape)) / code.numel()

