class LastStepClassifier(nn.Module):
    def __init__(self, features, hidden, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(input_size=features, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)                 # (1, N, hidden): the last step's hidden state
        return self.head(h_n[-1])
