# squeeze() drops the channel axis, and with a batch of 1 the batch axis too: Flatten then
# flattens the image rows instead of the images.
class DenseAutoencoder(nn.Module):
    def __init__(self, side=28, latent=32):
        super().__init__()
        self.side = side
        self.enc = nn.Sequential(nn.Flatten(), nn.Linear(side * side, latent))
        self.dec = nn.Sequential(nn.Linear(latent, side * side), nn.Sigmoid())

    def encode(self, x):
        return self.enc(x.squeeze())

    def decode(self, z):
        return self.dec(z).view(-1, 1, self.side, self.side)

    def forward(self, x):
        return self.decode(self.encode(x))
