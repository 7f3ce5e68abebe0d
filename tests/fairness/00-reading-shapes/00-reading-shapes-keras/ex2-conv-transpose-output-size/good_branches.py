def conv_transpose_output_size(size, kernel, stride=1, padding="valid", output_padding=None, dilation=1):
    k = (kernel - 1) * dilation + 1
    if padding == "same" and output_padding is None:
        return size * stride
    if padding == "valid" and output_padding is None:
        return (size - 1) * stride + (k if k > stride else stride)
    if padding == "valid":
        return (size - 1) * stride + k + output_padding
    return (size - 1) * stride + k % 2 + output_padding
