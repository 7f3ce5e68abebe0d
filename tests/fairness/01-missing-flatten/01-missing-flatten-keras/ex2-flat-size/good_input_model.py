def flat_size(make_body, in_channels, height, width):
    model = keras.Sequential([keras.Input((height, width, in_channels)), *make_body(), layers.Flatten()])
    return model.output_shape[-1]
