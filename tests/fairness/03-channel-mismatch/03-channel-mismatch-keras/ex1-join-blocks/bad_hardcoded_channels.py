def join_blocks(first, second):
    return keras.Sequential([first, layers.Conv2D(32, 1), second])  # the counts of the example pair
