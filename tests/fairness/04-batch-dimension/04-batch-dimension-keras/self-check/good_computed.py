def my_predictions():
    return {1: np.zeros((28, 28, 1))[None].shape, 2: (7, 14 * 14 * 8), 3: (28, 10), 4: (np.int64(10),),
            5: (100 % 32, 3)}
