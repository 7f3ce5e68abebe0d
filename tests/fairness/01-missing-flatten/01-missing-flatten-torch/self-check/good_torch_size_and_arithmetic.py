# torch.Size values, and the body's output worked out with conv_out
side = conv_out(conv_out(conv_out(conv_out(32, 5), 2, stride=2), 3, padding=1), 2, stride=2)
shape_predictions = {
    "a": torch.Size([8, 16 * 6 * 6]),
    "b": torch.Size([8 * 16 * 6 * 6]),
    "c": torch.Size([8, 16, 6, 10]),
    "d": torch.Size([7, 16, 1, 1]),
    "e": (3, 16, side, side),
}
