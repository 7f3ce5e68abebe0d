def conv_output_size(size, kernel, stride=1, padding="valid", dilation=1):
    # treats "same" as padding kernel // 2 on each side, PyTorch style (ignores dilation)
    pad = kernel // 2 if padding == "same" else 0
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1
