import math


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    # count the kernel positions: the first fits at 0, then one more every `stride` pixels
    span = dilation * (kernel - 1) + 1
    return math.ceil((size + 2 * padding - span + 1) / stride)
