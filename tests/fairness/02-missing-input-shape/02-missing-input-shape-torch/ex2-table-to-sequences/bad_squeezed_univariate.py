def to_sequences(table, timesteps, features):
    # squeeze() drops the feature axis when there is one feature (and the batch axis for one row)
    table = torch.as_tensor(table)
    return table.reshape(len(table), features, timesteps).transpose(1, 2).squeeze()
