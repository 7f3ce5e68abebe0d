def to_sequences(table, timesteps, features):
    table = torch.as_tensor(table).float()
    return table.view(-1, features, timesteps).permute(0, 2, 1).contiguous()
