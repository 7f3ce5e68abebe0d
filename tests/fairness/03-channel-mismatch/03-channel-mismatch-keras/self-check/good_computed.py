def my_predictions():
    import numpy as np
    return {1: np.zeros((5, 3, 20, 12)).transpose(0, 2, 3, 1).shape, 2: (4, 28 - 2, 28 - 2, 8),
            3: (2, 3 - 2, 32 - 2, 16), 4: (2, 912), 5: (3, 9, 11, np.int64(4))}
