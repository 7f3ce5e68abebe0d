# Keep the stride-3 pooling, but pad the input to a multiple of 9 first and crop the output back.
def build_autoencoder(in_channels=1):
    class Stride3PadCrop(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(
                nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3),
                nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3),
                nn.Upsample(scale_factor=3), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
                nn.Upsample(scale_factor=3), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
                nn.Conv2d(16, in_channels, 3, padding=1))

        def forward(self, x):
            h, w = x.shape[-2:]
            ph, pw = (9 - h % 9) % 9, (9 - w % 9) % 9
            top, left = ph // 2, pw // 2
            y = self.net(F.pad(x, (left, pw - left, top, ph - top), mode="reflect"))
            return y[:, :, top:top + h, left:left + w]

    return Stride3PadCrop()
