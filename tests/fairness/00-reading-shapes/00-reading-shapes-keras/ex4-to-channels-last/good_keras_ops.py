def to_channels_last(batch):
    # Keras's backend-neutral transpose; returns a backend tensor
    return keras.ops.transpose(batch, axes=(0, 2, 3, 1))
