def conv_transpose_output_size(size, kernel, stride=1, padding="valid", output_padding=None, dilation=1):
    # one formula for everything, treating output_padding=None as 0
    span = dilation * (kernel - 1) + 1
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * stride + span - 2 * pad + (output_padding or 0)
