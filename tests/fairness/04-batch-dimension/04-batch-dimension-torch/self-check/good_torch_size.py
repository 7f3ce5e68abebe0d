def my_predictions():
    return {1: torch.Size([8, 28, 28]), 2: (8, 14 * 14), 3: torch.Size([1, 1, 28, 28]), 4: (10,),
            5: (100 - 3 * 32, 3)}
