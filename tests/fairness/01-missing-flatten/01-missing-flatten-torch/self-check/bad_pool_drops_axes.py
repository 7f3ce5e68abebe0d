# believes AdaptiveAvgPool2d(1) drops the spatial axes, and Linear flattens
shape_predictions = {"a": (8, 576), "b": (4608,), "c": (8, 10), "d": (7, 16), "e": (3, 16, 7, 7)}
