def join_blocks(first, second):
    inputs = keras.Input(first.input_shape[1:])
    features = first(inputs)
    bridged = layers.Conv2D(second.input_shape[-1], kernel_size=(1, 1), use_bias=True)(features)
    return keras.Model(inputs, second(bridged))
