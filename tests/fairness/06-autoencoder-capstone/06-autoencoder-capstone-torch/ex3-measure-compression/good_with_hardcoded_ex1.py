# Correct measurements next to an Exercise 1 answer that hard-codes 28x28 (it loses Exercise 1's
# points): the Exercise 3 test uses read-only reference models, so it costs nothing here.
class DenseAutoencoder(nn.Module):
    def __init__(self, side=28, latent=32):
        super().__init__()
        self.enc = nn.Sequential(nn.Flatten(), nn.Linear(784, 32))
        self.dec = nn.Sequential(nn.Linear(32, 784), nn.Sigmoid())

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        return self.dec(z).reshape(-1, 1, 28, 28)

    def forward(self, x):
        return self.decode(self.encode(x))


def reconstruction_errors(model, x):
    with torch.no_grad():
        return F.mse_loss(model(x), x, reduction="none").flatten(1).mean(1)


def compression_ratio(model, image_shape):
    model.eval()
    with torch.no_grad():
        code = model.encode(torch.zeros(1, *image_shape))
    return float(np.prod(image_shape)) / code.numel()
