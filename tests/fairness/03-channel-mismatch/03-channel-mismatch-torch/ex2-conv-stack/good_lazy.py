def build_conv_stack(in_channels, widths):
    # LazyConv2d reads its in_channels from the first batch it sees, so the chain cannot break
    blocks = OrderedDict()
    for k, width in enumerate(widths):
        blocks[f"conv{k}"] = nn.LazyConv2d(width, kernel_size=3, padding="same")
        blocks[f"relu{k}"] = nn.ReLU()
        blocks[f"pool{k}"] = nn.MaxPool2d(kernel_size=2, stride=2)
    return nn.Sequential(blocks)
