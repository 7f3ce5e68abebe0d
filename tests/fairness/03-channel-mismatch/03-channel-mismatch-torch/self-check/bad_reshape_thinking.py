def my_predictions():
    # q1: permute mistaken for a reshape; q4: the grid axes dropped
    return {1: (5, 3, 12, 20), 2: (8, 26, 26), 3: (16, 26, 26), 4: (2, 912), 5: (3, 4, 9, 11)}
