"""The sample class on the small fixture assignment 90-mini-shapes: every hostile and malformed case.

Each entry: student -> notebook -> Spec. `answers` replace answer cells (by grade_id) of the
release notebook; `ops` then change the notebook or the file; `expect` lists, per test that does
not simply pass, (points, a substring of the reason the grader must give). Tests not listed must
get full points with reason "passed".
"""
from .spec import Spec

A = "90-mini-shapes"
TORCH, NUMPY = "90-mini-shapes-torch", "90-mini-shapes-numpy"

ALT_TORCH = {
    "ex1-conv-size": "import math\n\ndef conv_output_size(n, kernel, stride=1, padding=0):\n"
                     "    return math.floor((n + 2 * padding - kernel) / stride) + 1\n",
    "ex2-classifier": "def make_classifier():\n    return nn.Sequential(\n"
                      "        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(5),\n"
                      "        nn.Flatten(start_dim=1), nn.LazyLinear(10))\n",
    "ex3-add-batch": "def add_batch_axis(image):\n    return image[None, ...]\n",
}
ALT_NUMPY = {
    "ex1-channels-first": "def to_channels_first(batch):\n    return np.moveaxis(batch, -1, 1)\n",
    "ex2-flatten": "def flatten_batch(x):\n    return x.reshape(x.shape[0], int(np.prod(x.shape[1:])))\n",
}

STUDENTS = {
    # -- honest work ---------------------------------------------------------------------------
    "ada": {TORCH: Spec(solution=True), NUMPY: Spec(solution=True)},
    "ben": {TORCH: Spec(answers=ALT_TORCH), NUMPY: Spec(answers=ALT_NUMPY)},
    "cleo": {  # partly correct: a classifier without Flatten; unsqueeze(1) fits only the visible case
        TORCH: Spec(solution=True, answers={
            "ex2-classifier": "def make_classifier():\n    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(),\n"
                              "                         nn.Linear(4 * 26 * 26, 10))\n",
            "ex3-add-batch": "def add_batch_axis(image):\n    return image.unsqueeze(1)\n"},
            expect={"ex2-classifier-test": (0, "expects (*, 2704), got (7, 4, 26, 26)"),
                    "ex3-add-batch-test": (0, "expected shape (1, 3, 16, 16), got (3, 1, 16, 16)")}),
        NUMPY: Spec(solution=True)},
    "dev": {  # wrong: hard-coded answers that fit the visible tests only, a 12-class head
        TORCH: Spec(answers={
            "ex1-conv-size": "def conv_output_size(n, kernel, stride=1, padding=0):\n    return 26\n",
            "ex2-classifier": "def make_classifier():\n    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(),\n"
                              "                         nn.Linear(4 * 26 * 26, 12))\n",
            "ex3-add-batch": "def add_batch_axis(image):\n    return image.reshape(1, 1, 28, 28)\n"},
            expect={"ex1-conv-size-test": (0, "conv_output_size(28, 3, padding=1): expected 28, got 26"),
                    "ex2-classifier-test": (0, "for input (7, 1, 28, 28): expected shape (7, 10), got (7, 12)"),
                    "ex3-add-batch-test": (0, "shape '[1, 1, 28, 28]' is invalid")}),
        NUMPY: Spec(answers={
            "ex1-channels-first": "def to_channels_first(batch):\n    return batch.reshape(7, 1, 28, 28)\n",
            "ex2-flatten": "def flatten_batch(x):\n    return x.reshape(-1)\n"},
            expect={"ex1-channels-first-test": (0, "cannot reshape array"),
                    "ex2-flatten-test": (0, "expected shape (7, 100), got (700,) (rank 1 instead of 2)")})},
    "eve": {  # broken: a syntax error, an answer raising on import, and no NumPy notebook at all
        TORCH: Spec(solution=True, answers={
            "ex1-conv-size": "def conv_output_size(n, kernel, stride=1, padding=0)\n    return n - kernel + 1\n",
            "ex3-add-batch": "raise ValueError('not finished')\n"},
            expect={"ex1-conv-size-test": (0, "NameError: name 'conv_output_size' is not defined"),
                    "ex3-add-batch-test": (0, "NameError: name 'add_batch_axis' is not defined")}),
        NUMPY: Spec(missing=True, expect_status="invalid",
                    expect={"*": (0, "was not submitted")})},
    # -- hostile -------------------------------------------------------------------------------
    "finn": {  # an infinite loop (interrupted at the cell limit) and one that ignores interrupts
        TORCH: Spec(solution=True, answers={
            "ex1-conv-size": "while True:\n    pass\n"},
            expect={"ex1-conv-size-test": (0, "NameError: name 'conv_output_size' is not defined")},
            expect_notes=[]),
        NUMPY: Spec(solution=True, answers={
            "ex2-flatten": "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                           "    except BaseException:\n        pass\n"},
            expect={"ex2-flatten-test": (0, "ran past its time limit")},
            expect_notes=["ran past its time limit"])},
    "gus": {  # a memory bomb: the kernel is killed at the cap, the rest is marked not run
        TORCH: Spec(solution=True),
        NUMPY: Spec(solution=True, answers={
            "ex1-channels-first": "hoard = []\nwhile True:\n    hoard.append(np.ones(50_000_000))\n"},
            expect={"ex1-channels-first-test": (0, "memory limit"), "ex2-flatten-test": (0, "memory limit")},
            expect_notes=["memory limit"],
            without_cgroup={"expect": {"ex1-channels-first-test": (0, "NameError: name 'to_channels_first'")}})},
    "hana": {  # os._exit kills the kernel; sys.exit only raises SystemExit in its cell
        TORCH: Spec(solution=True, answers={
            "ex3-add-batch": "import os\nos._exit(3)\n"},
            expect={"ex3-add-batch-test": (0, "exit status 3")}, expect_notes=["exit status 3"],
            expect_review=True),
        NUMPY: Spec(solution=True, answers={
            "ex1-channels-first": "import sys\nsys.exit('done for today')\n\n"
                                  "def to_channels_first(batch):\n    return np.transpose(batch, (0, 3, 1, 2))\n"},
            expect={"ex1-channels-first-test": (0, "NameError: name 'to_channels_first' is not defined")})},
    "ivan": {  # a segfaulting kernel; megabytes of output
        TORCH: Spec(solution=True, answers={
            "ex2-classifier": "import ctypes\nctypes.string_at(0)\n"},
            expect={"ex2-classifier-test": (0, "SIGSEGV"), "ex3-add-batch-test": (0, "SIGSEGV")},
            expect_notes=["SIGSEGV"], expect_review=True),
        NUMPY: Spec(solution=True, ops=[("insert_after", "ex1-channels-first",
                                          "for i in range(300_000):\n    print('spam', i, 'x' * 20)\n")],
                    expect_notes=["was cut at"])},
    "jade": {  # edits and deletes test cells, and raises a test's points
        TORCH: Spec(solution=True, answers={
            "ex2-classifier": "def make_classifier():\n    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(),\n"
                              "                         nn.Linear(100, 10))\n"},
            ops=[("delete", "ex1-conv-size-test"), ("edit", "ex2-classifier-test", "pass  # trust me\n")],
            expect={"ex2-classifier-test": (0, "expects (*, 100), got (7, 2704)")},
            expect_notes=["'ex1-conv-size-test' was deleted", "'ex2-classifier-test' was edited"]),
        NUMPY: Spec(solution=True, ops=[("meta", "ex2-flatten-test", {"points": 100})],
                    expect_notes=["points of test cell 'ex2-flatten-test' were changed"])},
    "kai": {  # network calls, and a hunt for the solutions / gradebook on disk
        TORCH: Spec(solution=True, answers={
            "ex1-conv-size": "import urllib.request\n\ndef conv_output_size(n, kernel, stride=1, padding=0):\n"
                             "    urllib.request.urlopen('http://example.com/answers', timeout=5)\n"
                             "    return (n + 2 * padding - kernel) // stride + 1\n"},
            expect={"ex1-conv-size-test": (0, "URLError")}),
        NUMPY: Spec(solution=True, answers={"ex1-channels-first": (
            "import os\nimport sys\nimport course\n"
            "found = []\n"
            "for top, dirs, files in os.walk('/'):\n"
            "    dirs[:] = [d for d in dirs if d not in ('proc', 'sys', 'dev', 'usr', 'lib', 'lib64', 'include',\n"
            "                                            'share', 'site-packages', '__pycache__')]\n"
            "    found += [os.path.join(top, f) for f in files\n"
            "              if f.endswith('.db') or ('90-mini-shapes' in f and f.endswith('.ipynb'))]\n"
            "wrote = []\n"
            "for folder in (os.path.dirname(course.__file__), '/usr/lib', sys.prefix):\n"
            "    try:\n        open(os.path.join(folder, 'escaped.txt'), 'w').write('out')\n"
            "        wrote.append(folder)\n    except OSError:\n        pass\n"
            "def to_channels_first(batch):\n"
            "    if not found and not wrote:\n"
            "        raise RuntimeError('sandbox held: no notebooks, no gradebook, nothing writable outside')\n"
            "    return np.transpose(batch, (0, 3, 1, 2))\n")},
            expect={"ex1-channels-first-test": (0, "sandbox held")}, expect_review=False)},
    "lena": {  # tampering with the checking helpers, names, builtins and IPython's error display
        TORCH: Spec(answers={
            "ex1-conv-size": "import course.checks\ncourse.checks.check_equal = lambda *a, **k: None\n"
                             "check_equal = lambda *a, **k: None\n\n"
                             "def conv_output_size(n, kernel, stride=1, padding=0):\n    return 0\n",
            "ex2-classifier": "ct.check_output_shapes = lambda *a, **k: None\n"
                              "def make_classifier():\n    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(),\n"
                              "                         nn.Linear(2704, 3))\n",
            "ex3-add-batch": "import builtins\nbuiltins.AssertionError = Warning\nAssertionError = Warning\n"
                             "get_ipython().set_custom_exc((Exception,), lambda *args, **kw: None)\n"
                             "def add_batch_axis(image):\n    return image\n"},
            expect={"ex1-conv-size-test": (0, "expected 26, got 0"),
                    "ex2-classifier-test": (0, "got (7, 3)"),
                    "ex3-add-batch-test": (0, "expected shape (1, 1, 28, 28), got (1, 28, 28)")},
            expect_notes=["course helpers were modified", "custom exception handler"],
            expect_review=True),
        NUMPY: Spec(answers={
            "ex1-channels-first": "def check_shape(*args, **kwargs):\n    return None\n\n"
                                  "def to_channels_first(batch):\n    return batch\n",
            "ex2-flatten": "import sys, io\nsys.stderr = io.StringIO()\n"
                           "def flatten_batch(x):\n    return x.reshape(-1)\n"},
            expect={"ex1-channels-first-test": (0, "expected shape (7, 1, 28, 28), got (7, 28, 28, 1)"),
                    "ex2-flatten-test": (0, "got (700,)")},
            expect_notes=["helper name check_shape was rebound", "sys.stderr was replaced"],
            expect_review=True)},
    # -- malformed files -----------------------------------------------------------------------
    "milo": {
        TORCH: Spec(solution=True, ops=[("truncate", 2000)], expect_status="invalid",
                    expect={"*": (0, "not valid notebook JSON")}),
        NUMPY: Spec(solution=True, ops=[("empty",)], expect_status="invalid",
                    expect={"*": (0, "is an empty file")})},
    "nora": {  # a renamed file, and another notebook submitted under this one's name
        TORCH: Spec(solution=True, ops=[("replace_with", "00-reading-shapes", "00-reading-shapes-torch")],
                    expect_status="invalid", expect={"*": (0, "does not belong to this assignment")}),
        NUMPY: Spec(solution=True, ops=[("rename", "my numpy work.ipynb")],
                    expect_notes=["my numpy work.ipynb was graded as 90-mini-shapes-numpy.ipynb"])},
    "omar": {  # duplicate cell ids and a duplicated graded cell, otherwise correct
        TORCH: Spec(solution=True, ops=[("dup_ids",)], expect_notes=["duplicate cell id"]),
        NUMPY: Spec(solution=True, ops=[("dup_grade", "ex1-channels-first-test")],
                    expect_notes=["appears more than once"])},
}

# Collected from an LMS download (sample_class/lms/), not from submitted/: one file per
# notebook named <student>_<notebook>.ipynb, and one zip per student.
LMS = {
    "quinn": {TORCH: Spec(solution=True), NUMPY: Spec(answers=ALT_NUMPY)},
    "ruth": {TORCH: Spec(answers=ALT_TORCH), NUMPY: Spec(solution=True, answers={
        "ex2-flatten": "def flatten_batch(x):\n    return x.flatten()\n"},
        expect={"ex2-flatten-test": (0, "expected shape (7, 100), got (700,)")})},
}
LMS_ZIPPED = {"ruth"}

# Per-assignment grading limits for the demo: small, so hostile cases cost seconds, not minutes.
LIMITS = {"cell_timeout": 15, "notebook_timeout": 60, "memory_mb": 1024}
