def conv_output_size(size, kernel, stride=1, padding="valid", dilation=1):
    if padding == "same":
        return -(-size // stride)  # ceiling division
    effective = (kernel - 1) * dilation + 1
    count, start = 0, 0
    while start + effective <= size:
        count += 1
        start += stride
    return count
