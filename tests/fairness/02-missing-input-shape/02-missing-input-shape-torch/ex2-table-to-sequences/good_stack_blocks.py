def to_sequences(table, timesteps, features):
    blocks = torch.as_tensor(table, dtype=torch.float32).split(timesteps, dim=1)   # F blocks of (N, T)
    return torch.stack(blocks, dim=-1)
