class LastStepClassifier(nn.Module):
    """Keeps the default time-major LSTM and moves the axes to match it."""

    def __init__(self, features, hidden, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.lstm(x.transpose(0, 1))      # (T, N, F)
        return self.head(out[-1])                  # last time step: (N, hidden)
