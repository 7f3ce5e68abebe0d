def conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    # the smallest input a forward conv with these settings maps back to `size`, plus output_padding
    span = dilation * (kernel - 1) + 1
    smallest = (size - 1) * stride + span - 2 * padding
    return smallest + output_padding
