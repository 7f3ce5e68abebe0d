import math


def conv_output_size(size, kernel, stride=1, padding="valid", dilation=1):
    if padding == "same":
        return math.ceil(size / stride)
    effective = dilation * (kernel - 1) + 1
    return math.floor((size - effective) / stride) + 1
