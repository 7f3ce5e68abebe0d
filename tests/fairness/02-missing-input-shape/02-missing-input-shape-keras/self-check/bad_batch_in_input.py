def my_predictions():
    # q1: thinks Input's shape holds no batch axis
    return {1: (24, 3), 2: (8, 16), 3: (8, 24, 16), 4: (64, 72), 5: (8, 24, 3)}
