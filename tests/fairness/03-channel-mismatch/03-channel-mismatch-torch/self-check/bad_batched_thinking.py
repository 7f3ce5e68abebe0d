def my_predictions():
    # q2 and q3: thinks a 3-D input is a batch without a channel axis
    return {1: (5, 3, 20, 12), 2: (1, 8, 26, 26), 3: (3, 16, 26, 26), 4: (2, 912, 1, 1), 5: (3, 4, 9, 11)}
