def to_sequences(table, timesteps, features):
    arr = np.asarray(table, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(np.swapaxes(arr.reshape(len(arr), features, timesteps), 1, 2)))
