class LastStepClassifier(nn.Module):
    """Uses h_n but forgets batch_first: h_n has T rows, not N."""

    def __init__(self, features, hidden, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.head(h_n[-1])
