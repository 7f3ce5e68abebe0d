# torch.Size values, and sizes worked out with the notebook's own functions (Exercises 1 and 2)
shape_predictions = {
    "a": torch.Size([2, 8, conv_output_size(33, 5, 2), conv_output_size(20, 5, 2)]),
    "b": torch.Size([5, 16, 3, 4]),
    "c": torch.zeros(4, 10, 6, 3).permute(0, 3, 1, 2).shape,
    "d": (1, 4, conv_transpose_output_size(5, 3, 2, 1, 1), conv_transpose_output_size(7, 3, 2, 1, 1)),
    "e": torch.Size([8, 6, 6, 10]),
}
