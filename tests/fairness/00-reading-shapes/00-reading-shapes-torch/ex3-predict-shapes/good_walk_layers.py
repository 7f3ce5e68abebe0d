def predict_shapes(input_shape):
    # walk the real model's layer settings, no forward pass
    n, c, h, w = input_shape
    shapes = []
    for layer in shape_model:
        if isinstance(layer, nn.Conv2d):
            c = layer.out_channels
            h, w = (conv_output_size(s, k, st, p, d) for s, k, st, p, d in
                    zip((h, w), layer.kernel_size, layer.stride, layer.padding, layer.dilation))
        elif isinstance(layer, nn.ConvTranspose2d):
            c = layer.out_channels
            h, w = (conv_transpose_output_size(s, k, st, p, op, d) for s, k, st, p, op, d in
                    zip((h, w), layer.kernel_size, layer.stride, layer.padding, layer.output_padding, layer.dilation))
        elif isinstance(layer, nn.MaxPool2d):
            h, w = h // layer.kernel_size, w // layer.kernel_size
        if isinstance(layer, nn.Flatten):
            shapes.append((n, c * h * w))
        else:
            shapes.append((n, c, h, w))
    return shapes
