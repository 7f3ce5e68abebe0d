def conv_transpose_output_size(size, kernel, stride=1, padding="valid", output_padding=None, dilation=1):
    span = dilation * (kernel - 1) + 1
    if output_padding is None:
        if padding == "same":
            return size * stride
        output_padding = max(span, stride) - span  # what Keras picks by default
    crop = 2 * (span // 2) if padding == "same" else 0
    return (size - 1) * stride + span + output_padding - crop
