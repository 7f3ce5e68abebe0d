# Right shapes, but the last transposed convolution is made inside decode: new, untrained weights
# at every call.
class ConvAutoencoder(nn.Module):
    def __init__(self, channels=1, code_channels=8):
        super().__init__()
        self.channels = channels
        self.encoder = nn.Sequential(nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
                                     nn.Conv2d(16, code_channels, 3, stride=2, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(code_channels, 16, 3, stride=2, padding=1, output_padding=1)

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        last = nn.ConvTranspose2d(16, self.channels, 3, stride=2, padding=1, output_padding=1).to(z.device)
        return torch.sigmoid(last(torch.relu(self.up(z))))

    def forward(self, x):
        return self.decode(self.encode(x))
