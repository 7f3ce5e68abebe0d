def join_blocks(first, second):
    return keras.Sequential([first, layers.Conv2D(second.input_shape[-1], 3, padding="same"), second])
