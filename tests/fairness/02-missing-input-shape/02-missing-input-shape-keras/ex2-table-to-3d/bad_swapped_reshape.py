def to_3d(table, timesteps, features):
    # np.transpose without axes reverses all three: (timesteps, features, samples)
    return np.transpose(np.asarray(table).reshape(len(table), features, timesteps))
