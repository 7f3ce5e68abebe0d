def my_predictions():
    return {1: [None, 24, 3], 2: [8, 16], 3: [8, 24, 16], 4: [64, 72], 5: [8, 24, 3]}
