"""nbgrader configuration: the repository root is the course directory."""
import os

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.course_id = "shape-errors"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# Embedded default gradebook; any SQLAlchemy URL works through --db or NBGRADER_DB_URL.
c.CourseDirectory.db_url = os.environ.get(
    "NBGRADER_DB_URL", "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
)
# The helper package and its data travel with every assignment's notebooks, not as copies.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Training cells are budgeted to ~10 s on a 2-core CPU; leave room for a slow grading machine.
c.Execute.timeout = 120
c.Execute.startup_timeout = 120
# Keep TensorFlow's C++ log lines and oneDNN banners out of outputs, validation and feedback.
c.Execute.extra_arguments = []
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")

c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
# Only graded test cells decide: with validate_all, any warning on stderr would count as a failure.
c.Validator.validate_all = False
# `nbgrader validate` cuts every line of a failure at Validator.width - 3 characters (default 90),
# which drops the "expected ..., got ..." end of a test's message; the course's messages are one
# line of up to a few hundred characters. (The Validate button shows the error uncut either way.)
c.Validator.width = 500
