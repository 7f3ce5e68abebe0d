def predict_shapes(input_shape):
    # read each layer's own settings, no forward pass
    n, h, w, c = input_shape
    shapes = []
    for layer in shape_model.layers:
        if isinstance(layer, layers.Conv2DTranspose):
            k, s, d = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
            op = None if layer.output_padding is None else layer.output_padding[0]
            h, w = (conv_transpose_output_size(v, k, s, layer.padding, op, d) for v in (h, w))
            c = layer.filters
        elif isinstance(layer, layers.Conv2D):
            k, s, d = layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
            h, w = (conv_output_size(v, k, s, layer.padding, d) for v in (h, w))
            c = layer.filters
        elif isinstance(layer, layers.MaxPooling2D):
            h, w = (conv_output_size(v, layer.pool_size[0], layer.strides[0], layer.padding) for v in (h, w))
        if isinstance(layer, layers.Flatten):
            shapes.append((n, h * w * c))
        else:
            shapes.append((n, h, w, c))
    return shapes
