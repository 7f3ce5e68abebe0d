# LazyLinear infers side*side on first use; the decoder uses nn.Unflatten.
class DenseAutoencoder(nn.Module):
    def __init__(self, side=28, latent=32):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.LazyLinear(100), nn.Tanh(), nn.Linear(100, latent))
        self.decoder = nn.Sequential(nn.Linear(latent, side * side), nn.Sigmoid(), nn.Unflatten(-1, (1, side, side)))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))
