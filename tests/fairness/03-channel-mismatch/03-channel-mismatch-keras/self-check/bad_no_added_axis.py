def my_predictions():
    # q2: thinks Keras refuses the missing channel axis; q4: keeps the grid
    return {1: (5, 20, 12, 3), 2: None, 3: (2, 1, 30, 16), 4: (2, 1, 1, 912), 5: (3, 9, 11, 4)}
