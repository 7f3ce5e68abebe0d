shape_predictions = {}
shape_predictions["a"] = [2, 15, 8, 8]
shape_predictions["b"] = [5, 3, 4, 16]
shape_predictions["c"] = [4, 10, 6, 3]
shape_predictions["d"] = [1, 10, 14, 4]
shape_predictions["e"] = [8, 6, 6, 10]
