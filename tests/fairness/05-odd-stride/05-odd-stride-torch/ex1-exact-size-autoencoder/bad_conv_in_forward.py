# Pads and crops correctly, but makes the last convolution inside forward: a new, untrained
# layer at every call, whose weights the optimizer never sees.
def build_autoencoder(in_channels=1):
    class FreshLastConv(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Upsample(scale_factor=2), nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(),
                nn.Upsample(scale_factor=2))

        def forward(self, x):
            h, w = x.shape[-2:]
            y = self.body(F.pad(x, (0, -w % 4, 0, -h % 4)))
            y = nn.Conv2d(8, x.shape[1], 3, padding=1).to(x.device)(y)
            return y[..., :h, :w]

    return FreshLastConv()
