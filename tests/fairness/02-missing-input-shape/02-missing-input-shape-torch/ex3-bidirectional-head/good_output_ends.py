def build_bidirectional_classifier(features, hidden, n_classes):
    class Bidirectional(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
            self.head = nn.Linear(2 * hidden, n_classes)

        def forward(self, x):
            out, _ = self.lstm(x)
            # each direction where it finishes: forward at the last step, backward at the first
            ends = torch.cat([out[:, -1, :hidden], out[:, 0, hidden:]], dim=1)
            return self.head(ends)

    return Bidirectional()
