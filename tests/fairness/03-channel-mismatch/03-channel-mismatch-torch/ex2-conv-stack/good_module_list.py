class ConvStack(nn.Module):
    def __init__(self, in_channels, widths):
        super().__init__()
        chans = [in_channels, *widths]
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, padding=1) for a, b in zip(chans[:-1], chans[1:]))

    def forward(self, x):
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return x


def build_conv_stack(in_channels, widths):
    return ConvStack(in_channels, widths)
