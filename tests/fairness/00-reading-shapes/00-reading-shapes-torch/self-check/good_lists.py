shape_predictions = {}
shape_predictions["a"] = [2, 8, 15, 8]
shape_predictions["b"] = [5, 16, 3, 4]
shape_predictions["c"] = [4, 3, 10, 6]
shape_predictions["d"] = [1, 4, 10, 14]
shape_predictions["e"] = [8, 6, 6, 10]
