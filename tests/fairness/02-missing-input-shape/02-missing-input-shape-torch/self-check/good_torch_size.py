def my_predictions():
    return {1: torch.Size([8, 3]), 2: torch.Size([8, 24, 16]), 3: (1, 8, 16), 4: (8, 24, 2 * 16),
            5: torch.Size([64, 24, 3])}
