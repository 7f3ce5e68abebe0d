def conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    stretched = stride * (size - 1) + 1          # inputs spread out, stride-1 zeros between them
    full = stretched + dilation * (kernel - 1)   # every position the kernel can touch
    return full - 2 * padding + output_padding   # padding crops, output_padding adds back
