def conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    # "a transposed conv multiplies the size by the stride"
    return size * stride + output_padding
