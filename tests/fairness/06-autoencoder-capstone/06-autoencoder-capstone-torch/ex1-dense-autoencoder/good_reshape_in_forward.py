# Plain Linear layers and an explicit reshape with the batch size read from the input.
class DenseAutoencoder(nn.Module):
    def __init__(self, side=28, latent=32):
        super().__init__()
        self.side = side
        self.fc1 = nn.Linear(side * side, 64)
        self.fc2 = nn.Linear(64, latent)
        self.fc3 = nn.Linear(latent, 64)
        self.fc4 = nn.Linear(64, side * side)

    def encode(self, x):
        return self.fc2(torch.relu(self.fc1(x.reshape(x.shape[0], -1))))

    def decode(self, z):
        flat = torch.sigmoid(self.fc4(torch.relu(self.fc3(z))))
        return flat.view(z.size(0), 1, self.side, self.side)

    def forward(self, x):
        return self.decode(self.encode(x))
