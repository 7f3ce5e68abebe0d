def my_predictions():
    return {1: (None, 24, 3), 2: (8, 16), 3: (8, 24, 16), 4: np.zeros((64, 24, 3)).reshape(64, -1).shape,
            5: (8, 24, np.int64(3))}
