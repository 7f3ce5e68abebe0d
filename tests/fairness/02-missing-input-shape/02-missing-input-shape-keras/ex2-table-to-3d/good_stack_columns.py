def to_3d(table, timesteps, features):
    table = np.asarray(table)
    blocks = [table[:, f * timesteps:(f + 1) * timesteps] for f in range(features)]
    return np.stack(blocks, axis=-1)
