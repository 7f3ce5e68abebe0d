"""How one sample submission notebook is made from its release notebook, and what grading it must give."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Spec:
    solution: bool = False  # start from the instructor's solutions (else from the release stubs)
    answers: dict = field(default_factory=dict)  # answer grade_id -> replacement source
    ops: list = field(default_factory=list)  # see make_submissions.OPS
    missing: bool = False  # the notebook is not submitted at all
    # What the grader must report. Tests not in `expect` pass with full points; "*" = every test.
    expect: dict = field(default_factory=dict)  # test grade_id -> (points, reason substring)
    expect_status: str = "graded"  # graded | invalid
    expect_notes: list = field(default_factory=list)  # substrings that must appear in the notes
    expect_review: bool = False  # flagged for manual review
    # Where no cgroup can be made (the memory cap is then RLIMIT_DATA, which raises MemoryError in
    # the cell instead of killing the kernel): replacement `expect` and `expect_notes`.
    without_cgroup: dict = field(default_factory=dict)
