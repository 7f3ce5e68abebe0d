def to_3d(table, timesteps, features):
    # each row, read column-major as a (timesteps, features) grid, is exactly the feature-major layout
    table = np.asarray(table)
    return np.stack([row.reshape(timesteps, features, order="F") for row in table])
