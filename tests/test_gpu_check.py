"""tools.gpu_check: reads what training cells print, and says plainly when no GPU was visible."""
from course.training import TrainResult
from tools import gpu_check


def test_training_line_is_read_from_what_train_prints():
    line = str(TrainResult([2.3, 1.0, 0.1234], "cuda", 0.84, 200))
    found = gpu_check.TRAINED.search(line)
    assert found and (found[1], found[2], found[5]) == ("200", "cuda", "0.1234")


def _result(device, error=""):
    return {"notebook": "x", "seconds": 12.5, "device": device, "error": error,
            "training": [{"steps": 200, "device": "cpu", "train_s": 3.2, "cell_s": 4.0,
                          "loss_first": "2.3", "loss_last": "0.1", "metric": "held-out accuracy: 0.95"}]}


def test_report_without_gpu_says_so_and_lists_the_cpu_figures():
    probes = {"torch": {"installed": True, "gpu": ""}, "keras": {"installed": False, "gpu": ""}}
    text = gpu_check.report({"01-x-torch": {"cpu": _result("PyTorch on CPU")}}, probes, "2 CPU cores")
    assert "No GPU was visible" in text and "keras: **not installed, skipped**" in text
    assert "| 01-x-torch | CPU | PyTorch on CPU | 12.5 | cell 4.0 s (training 3.2 s on cpu), loss 2.3 -> 0.1" in text


def test_report_with_gpu_puts_both_columns_side_by_side():
    probes = {"torch": {"installed": True, "gpu": "NVIDIA H200"}, "keras": {"installed": True, "gpu": ""}}
    results = {"01-x-torch": {"gpu": _result("on GPU", error="CellExecutionError: boom"), "cpu": _result("on CPU")}}
    text = gpu_check.report(results, probes, "16 CPU cores")
    assert "No GPU was visible" not in text and "GPU visible: NVIDIA H200" in text
    rows = [ln for ln in text.splitlines() if ln.startswith("| 01-x-torch")]
    assert [r.split("|")[2].strip() for r in rows] == ["GPU", "CPU"] and "boom" in rows[0]
