def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    padded = size + 2 * padding
    effective = (kernel - 1) * dilation + 1
    count, start = 0, 0
    while start + effective <= padded:
        count += 1
        start += stride
    return count
