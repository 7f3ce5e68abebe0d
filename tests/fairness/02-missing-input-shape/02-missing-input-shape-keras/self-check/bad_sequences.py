def my_predictions():
    # q2: thinks an LSTM always returns the sequence; q5: thinks Dense flattens first
    return {1: (None, 24, 3), 2: (8, 24, 16), 3: (8, 24, 16), 4: (64, 72), 5: (8, 3)}
