def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - kernel) // stride + 1
