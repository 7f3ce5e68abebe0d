def my_predictions():
    # q4: a bare squeeze keeps... nothing; q5: thinks every batch is full
    return {1: (8, 28, 28), 2: (8, 196), 3: (1, 1, 28, 28), 4: (10,), 5: (32, 3)}
