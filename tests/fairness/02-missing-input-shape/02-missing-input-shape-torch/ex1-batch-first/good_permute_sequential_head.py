class LastStepClassifier(nn.Module):
    def __init__(self, features, hidden, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=False)
        self.head = nn.Sequential(nn.Linear(hidden, n_classes))

    def forward(self, x):
        _, (h_n, _) = self.lstm(x.permute(1, 0, 2).contiguous())
        return self.head(h_n.squeeze(0))
