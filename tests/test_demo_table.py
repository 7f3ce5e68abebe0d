"""The grade table `make course` prints, from a grades CSV in nbgrader's export format."""
from sample_class.demo import grade_table

HEADER = "assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,score,max_score\n"


def test_grade_table_shows_scores_and_missing_submissions(tmp_path):
    csv = tmp_path / "grades.csv"
    csv.write_text(HEADER + "a1,,2026-11-20 12:00:00,ada,,,,7.0,0.0,7.0,10.0\n"
                            "a1,,,bob,,,,0.0,0.0,0.0,10.0\n"
                            "a2,,2026-11-20 12:00:00,bob,,,,2.5,0.0,2.5,5.0\n")
    lines = grade_table(csv).strip().splitlines()
    assert lines[0].split() == ["student", "a1", "a2"]
    assert lines[2].split() == ["ada", "7", "/", "10", "-"]
    assert lines[3].split() == ["bob", "-", "2.5", "/", "5"]
