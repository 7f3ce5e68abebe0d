# Right shapes, but decode makes its Linear layer at every call: new, untrained weights each time,
# which the optimizer never sees.
class DenseAutoencoder(nn.Module):
    def __init__(self, side=28, latent=32):
        super().__init__()
        self.side, self.latent = side, latent
        self.enc = nn.Sequential(nn.Flatten(), nn.Linear(side * side, latent))

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        dec = nn.Linear(self.latent, self.side * self.side).to(z.device)
        return torch.sigmoid(dec(z)).reshape(-1, 1, self.side, self.side)

    def forward(self, x):
        return self.decode(self.encode(x))
