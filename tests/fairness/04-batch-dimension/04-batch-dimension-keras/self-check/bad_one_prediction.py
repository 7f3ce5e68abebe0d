def my_predictions():
    # q3: thinks the unbatched digit gives one prediction
    return {1: (1, 28, 28, 1), 2: (7, 1568), 3: (1, 10), 4: (10,), 5: (4, 3)}
