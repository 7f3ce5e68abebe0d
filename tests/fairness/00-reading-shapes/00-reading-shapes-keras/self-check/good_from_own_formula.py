# worked out with the notebook's own functions (Exercises 1 and 2), numpy integers included
shape_predictions = {
    "a": (2, conv_output_size(33, 5, 2), conv_output_size(20, 5, 2), 8),
    "b": (5, conv_output_size(7, 2, 2), conv_output_size(9, 2, 2), 16),
    "c": np.zeros((4, 3, 10, 6)).transpose(0, 2, 3, 1).shape,
    "d": (1, conv_transpose_output_size(5, 3, 2, "same"), conv_transpose_output_size(7, 3, 2, "same"), 4),
    "e": tuple(np.array([8, 6, 6, 10])),
}
