class TimeMajorBidirectional(nn.Module):
    def __init__(self, features, hidden, n_classes):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, bidirectional=True)
        out_size = self.lstm.hidden_size * (2 if self.lstm.bidirectional else 1)
        self.head = nn.Linear(out_size, n_classes)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x.transpose(0, 1))     # h_n: (2, N, hidden)
        both = h_n.transpose(0, 1).reshape(x.shape[0], -1)
        return self.head(both)


def build_bidirectional_classifier(features, hidden, n_classes):
    return TimeMajorBidirectional(features, hidden, n_classes)
