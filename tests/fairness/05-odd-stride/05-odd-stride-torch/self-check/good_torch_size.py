# torch.Size values, filled in one by one from the formulas.
predictions = {}
predictions["MaxPool2d(3) on (4, 8, 128, 128)"] = torch.Size([4, 8, (128 - 3) // 3 + 1, (128 - 3) // 3 + 1])
predictions["Conv2d(1, 16, 3, stride=2, padding=1) on (2, 1, 31, 31)"] = torch.Size([2, 16, 16, 16])
predictions["ConvTranspose2d(16, 8, 3, stride=2, padding=1) on (2, 16, 16, 16)"] = torch.Size([2, 8, 31, 31])
predictions["ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1) on (2, 16, 16, 16)"] = torch.Size([2, 8, 32, 32])
predictions["MaxPool2d(2) on (1, 32, 7, 9)"] = torch.Size([1, 32, 3, 4])
