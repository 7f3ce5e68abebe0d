def build_bidirectional_classifier(features, hidden, n_classes):
    class Bidirectional(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
            self.head = nn.Linear(hidden, n_classes)

        def forward(self, x):
            _, (h_n, _) = self.lstm(x)
            return self.head(h_n[-1])                 # the backward direction only; wrong parameter count

    return Bidirectional()
