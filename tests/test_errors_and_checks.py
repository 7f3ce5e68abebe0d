"""expect_error / expect_warning and the shape assertions, including every failure path."""
import warnings

import numpy as np
import pytest

from course import (ExpectationFailed, ShapeCheckError, check_at_least, check_at_most, check_equal,
                    check_predictions,
                    check_loss_fell, check_shape, check_true, expect_error, expect_warning)
from course.errors import brief, key_lines
from course.shapes import format_shape, missing_shapes, shape_in_message, shape_matches, shape_of


@pytest.mark.parametrize("message", [
    "mat1 and mat2 shapes cannot be multiplied (8x800 and 1568x10)",
    "received input with shape (8, 800)",
    "got [8,800] instead",
])
def test_shape_found_whatever_the_wording(message):
    assert shape_in_message((8, 800), message)
    assert not shape_in_message((800, 8), message)


def test_shape_with_none_and_single_numbers():
    assert shape_in_message((None, 28, 28, 1), "expected (None, 28, 28, 1)")
    assert shape_in_message(1568, "to have value 1568")
    assert missing_shapes([(3, 4), 9], "a (3, 4) b") == [9]


def test_shape_of_and_format():
    assert shape_of(np.zeros((2, 3))) == (2, 3)
    assert shape_of((None, 4)) == (None, 4)
    with pytest.raises(TypeError, match="no .shape"):
        shape_of(object())
    assert format_shape((None, 5)) == "(None, 5)" and format_shape((3,)) == "(3,)"
    assert shape_matches((7, 10), (None, 10)) and not shape_matches((7, 10), (7, 10, 1))


def test_expect_error_swallows_the_expected_error_and_reports_it(capsys):
    with expect_error(ValueError, shapes=[(8, 800)]) as caught:
        raise ValueError("bad input of shape (8, 800)")
    assert isinstance(caught.error, ValueError) and "(8, 800)" in caught.message
    out = capsys.readouterr().out
    assert "ValueError raised, as expected" in out and "your line" in out


def test_expect_error_fails_when_nothing_is_raised():
    with pytest.raises(ExpectationFailed, match="ran without any error"):
        with expect_error(RuntimeError):
            pass


def test_expect_error_fails_on_a_different_error_type():
    with pytest.raises(ExpectationFailed, match="Expected RuntimeError, but KeyError"):
        with expect_error(RuntimeError):
            raise KeyError("x")


def test_expect_error_fails_when_the_message_lacks_the_shapes():
    with pytest.raises(ExpectationFailed, match=r"does not mention shape \(1, 2\)"):
        with expect_error(ValueError, shapes=[(1, 2)]):
            raise ValueError("shape (2, 1)")


def test_expect_error_checks_words_case_insensitively():
    with expect_error(ValueError, contains=["MAT1"], quiet=True):
        raise ValueError("mat1 and mat2")
    with pytest.raises(ExpectationFailed, match="'channels'"):
        with expect_error(ValueError, contains=["channels"], quiet=True):
            raise ValueError("mat1 and mat2")


def test_expect_warning_catches_and_fails_loudly(capsys):
    with expect_warning(UserWarning, shapes=[(4, 1)]):
        warnings.warn("target size (4, 1) differs", UserWarning)
    assert "UserWarning emitted" in capsys.readouterr().out
    with pytest.raises(ExpectationFailed, match="no warning was emitted"):
        with expect_warning(UserWarning):
            pass
    with pytest.raises(ExpectationFailed, match="only these were emitted"):
        with expect_warning(UserWarning, shapes=[(9, 9)]):
            warnings.warn("target size (4, 1) differs", UserWarning)
    with pytest.raises(ZeroDivisionError):  # a real error is never hidden
        with expect_warning(UserWarning):
            1 / 0


def test_brief_keeps_informative_lines():
    long = "\n".join(f"line {i}" for i in range(50))
    short = brief(long)
    assert "omitted" in short and "line 49" in short and len(short.splitlines()) <= 8
    keras_style = "Exception encountered when calling X.\n\x1b[1mexpected axis -1 to be 3, got (2, 4)\x1b[0m\n"
    assert key_lines(keras_style) == ["expected axis -1 to be 3, got (2, 4)"]
    assert brief(keras_style, 1) == "expected axis -1 to be 3, got (2, 4)"
    graph = 'Graph execution error:\n  File "/tmp/ipykernel_784/1.py", line 3, in f\nshapes [8,10] vs [8,1]'
    assert "ipykernel" not in brief(graph)
    with pytest.raises(ExpectationFailed):  # 784 only appears in a file name
        with expect_error(ValueError, shapes=[784], quiet=True):
            raise ValueError(graph)
    huge = "bad input " + "0.5 " * 2000 + "with shape (2, 4)"
    clipped = brief(huge)
    assert len(clipped) < 500 and "characters omitted" in clipped and clipped.endswith("(2, 4)")


def test_check_shape_names_what_expected_and_actual():
    assert check_shape(np.zeros((7, 10)), (None, 10)) == (7, 10)
    with pytest.raises(ShapeCheckError, match=r"logits: expected shape \(7, 10\), got \(7, 12\)"):
        check_shape(np.zeros((7, 12)), (7, 10), name="logits")
    with pytest.raises(ShapeCheckError, match="rank 1 instead of 2"):
        check_shape(np.zeros(7), (7, 1))
    assert issubclass(ShapeCheckError, AssertionError)  # nbgrader counts it as a failed test


def test_value_checks():
    check_equal(3, 3, "channels")
    with pytest.raises(ShapeCheckError, match="channels: expected 3, got 4"):
        check_equal(4, 3, "channels")
    with pytest.raises(ShapeCheckError, match="custom"):
        check_true(False, "custom")
    check_at_least(0.9, 0.8, "accuracy")
    with pytest.raises(ShapeCheckError, match="below the required"):
        check_at_least(0.5, 0.8, "accuracy")
    with pytest.raises(ShapeCheckError, match="above the allowed"):
        check_at_most(0.5, 0.1, "error")


def test_check_loss_fell():
    check_loss_fell([2.0] * 10 + [0.5] * 10)
    with pytest.raises(ShapeCheckError, match="did not fall"):
        check_loss_fell([1.0] * 20)
    with pytest.raises(ShapeCheckError, match="NaN"):
        check_loss_fell([1.0, float("nan")] * 5)
    with pytest.raises(ShapeCheckError, match="at least 5"):
        check_loss_fell([1.0])


def test_needs_names_the_cell_that_did_not_finish():
    from course import ShapeCheckError, needs
    namespace = {"needs": needs}
    with pytest.raises(ShapeCheckError, match=r"the training cell above did not finish \(result is not defined\)"):
        exec("needs('result', cell='the training cell above')", namespace)
    namespace["result"] = 1
    exec("needs('result', cell='the training cell above')", namespace)  # defined: no error


def test_texttable_aligns_columns_under_a_rule():
    from course.texttable import format_table
    assert format_table(("a", "bb"), [(1, 2), ("xxx", 4)]).splitlines() == ["a    bb", "---  --", "1    2", "xxx  4"]


def test_check_predictions_passes_right_answers_in_any_shape_type():
    lines = []
    check_predictions({"a": [8, 576], "b": np.zeros((1, 3)).shape},
                      {"a": ("Flatten on (8, 16, 6, 6)", (8, 576)), "b": ("a row", np.zeros((1, 3)))},
                      out=lines.append)
    assert len(lines) == 2 and all(line.endswith("right") for line in lines)


@pytest.mark.parametrize("predictions,fragment", [
    ({"a": (8, 575), "b": (1, 3)}, "a (Flatten on (8, 16, 6, 6)): predicted shape: expected (8, 576), got (8, 575)"),
    ({"b": (1, 3)}, "a (Flatten on (8, 16, 6, 6)): no prediction"),
    ({"a": "8, 576", "b": (1, 3)}, "not a shape: '8, 576'"),
    ({"a": (8, 576), "b": (3, 1)}, "1 of 2 predictions differ"),
])
def test_check_predictions_names_each_wrong_question_with_both_shapes(predictions, fragment):
    with pytest.raises(ShapeCheckError) as err:
        check_predictions(predictions, {"a": ("Flatten on (8, 16, 6, 6)", (8, 576)), "b": ("a row", (1, 3))},
                          out=lambda line: None)
    assert fragment in str(err.value)


def test_check_predictions_wants_a_dict():
    with pytest.raises(ShapeCheckError, match="must be a dict of question -> shape, got list"):
        check_predictions([(8, 576)], {"a": ("Flatten", (8, 576))})
