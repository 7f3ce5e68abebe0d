def to_3d(table, timesteps, features):
    cube = np.reshape(table, (-1, features, timesteps))
    return np.ascontiguousarray(np.moveaxis(cube, 1, 2))
