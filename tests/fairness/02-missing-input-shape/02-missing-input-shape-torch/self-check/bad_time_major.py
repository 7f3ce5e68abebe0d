def my_predictions():
    # q3: expects h_n without the layers axis; q4: forgets the two directions
    return {1: (8, 3), 2: (8, 24, 16), 3: (8, 16), 4: (8, 24, 16), 5: (64, 24, 3)}
