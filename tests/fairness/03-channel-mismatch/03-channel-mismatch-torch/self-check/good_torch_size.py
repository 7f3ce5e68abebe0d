def my_predictions():
    return {1: torch.Size([5, 3, 20, 12]), 2: torch.Size([8, 26, 26]), 3: (16, 28 - 2, 28 - 2),
            4: (2, 912, 1, 1), 5: (3, torch.tensor(4), 9, 11)}
