def my_predictions():
    # q1: expects the conv to add a batch axis; q2: expects Flatten to give one row
    return {1: (1, 8, 28, 28), 2: (1, 1568), 3: (1, 1, 28, 28), 4: (10,), 5: (4, 3)}
