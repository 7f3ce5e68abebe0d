def my_predictions():
    # q3: thinks the unbuilt conv reads channels from axis 1
    return {1: (5, 20, 12, 3), 2: (4, 26, 26, 8), 3: (2, 30, 30, 16), 4: (2, 912), 5: (3, 9, 11, 4)}
