"""Start JupyterLab for the course: what `make lab` runs, and what the browser test starts.

    python -m tools.lab                       # the repository, on 127.0.0.1, a token printed
    python -m tools.lab --instructor          # the same with nbgrader's instructor UI (make lab-instructor)
    python -m tools.lab --root DIR --port N --token T [-- extra jupyter lab arguments]

Self-study needs no JupyterHub and no nbgrader exchange. The launcher therefore:

- runs from the repository root, so nbgrader's Validate button reads the course's
  nbgrader_config.py (the Validate server extension loads nbgrader config from the server's
  working directory) and grades exactly like `nbgrader validate`;
- keeps nbgrader's Validate button (validate_assignment) and hides the instructor-only UI: the
  Create Assignment sidebar, the Nbgrader menu (Formgrader) and the formgrader server extension.
  `--instructor` (`make lab-instructor`) shows them, with its own config folder;
- turns off nbgrader's Assignment List and Course List (server and Lab halves): they only list
  assignments released through an exchange directory or JupyterHub, and without one they show
  "Unwritable directory, please contact your instructor". A learner opens the notebooks under
  release/ directly;
- turns off JupyterLab's news feed and update check (the course runs without network);
- adds --allow-root when run as root (containers, CI), which Jupyter otherwise refuses;
- puts the virtual environment's bin/ first on PATH (nbgrader runs `alembic` by name).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Lab plugins and server extensions that need an exchange or JupyterHub, plus the network-only news.
DISABLED_LAB_PLUGINS = [
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
    "@jupyterlab/apputils-extension:announcements",
]
DISABLED_SERVER_EXTENSIONS = [
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
]
# Instructor-only UI, hidden from learners (shown with --instructor). The Nbgrader menu holds only
# Formgrader and Create Assignment once the exchange lists are off, so learners lose the whole menu.
INSTRUCTOR_LAB_PLUGINS = [
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:menu",
]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader"]

# Same defaults as the Makefile and nbgrader_config.py, so a learner's kernel, the Validate button
# and `nbgrader validate` see the same environment (Validate counts any stderr output as a failure).
ENV_DEFAULTS = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


CONFIG_DIR = REPO / "build" / "jupyter-config"
INSTRUCTOR_CONFIG_DIR = REPO / "build" / "jupyter-config-instructor"


def write_config(config_dir: Path = CONFIG_DIR, instructor: bool = False) -> Path:
    """Write the launcher's Jupyter config (server extensions, Lab plugins, no news) into `config_dir`.

    The folder goes first on JUPYTER_CONFIG_PATH, so it overrides the virtual environment's
    config (where nbgrader enables all its extensions) and leaves ~/.jupyter alone. It is
    regenerated at every start, atomically, so concurrent starts do not trip over each other.
    Learners (the default) also lose the instructor-only UI; `instructor` keeps it.
    """
    server_off = DISABLED_SERVER_EXTENSIONS + ([] if instructor else INSTRUCTOR_SERVER_EXTENSIONS)
    plugins_off = DISABLED_LAB_PLUGINS + ([] if instructor else INSTRUCTOR_LAB_PLUGINS)
    files = {
        config_dir / "jupyter_server_config.json": {
            "ServerApp": {"jpserver_extensions": {name: False for name in server_off}},
            "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
        },
        config_dir / "labconfig" / "page_config.json": {
            "disabledExtensions": {name: True for name in plugins_off},
        },
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, path)
    return config_dir


def environment(base: dict | None = None, config_dir: Path = CONFIG_DIR) -> dict:
    """The environment JupyterLab runs in: `base` (default os.environ) plus the course's settings."""
    env = dict(os.environ if base is None else base)
    for key, value in ENV_DEFAULTS.items():
        env.setdefault(key, value)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in [str(config_dir), env.get("JUPYTER_CONFIG_PATH", "")] if p)
    bindir = str(Path(sys.executable).parent)
    if env.get("PATH", "").split(os.pathsep)[0] != bindir:
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def command(root: str | Path = REPO, port: int | None = None, token: str | None = None,
            extra: list[str] | tuple = ()) -> list[str]:
    """The `jupyter lab` command line; run it from the repository root with `environment()`."""
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1",
        "--no-browser",
        f"--ServerApp.root_dir={Path(root).resolve()}",
    ]
    if port is not None:
        cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd + list(extra)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.lab", description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(REPO), help="folder JupyterLab shows (default: the repository)")
    parser.add_argument("--port", type=int, default=None, help="port (default: 8888 or the next free one)")
    parser.add_argument("--token", default=None, help="access token (default: a random one, printed)")
    parser.add_argument("--instructor", action="store_true",
                        help="show nbgrader's instructor UI (Formgrader, Create Assignment)")
    parser.add_argument("extra", nargs="*", help="further `jupyter lab` arguments, after --")
    args = parser.parse_args(argv)
    cmd = command(args.root, args.port, args.token, args.extra)
    config_dir = INSTRUCTOR_CONFIG_DIR if args.instructor else CONFIG_DIR
    env = environment(config_dir=write_config(config_dir, instructor=args.instructor))
    os.chdir(REPO)
    # The one line a learner needs among Jupyter's start-up log (make lab printed the install steps).
    print("==> starting JupyterLab: open the http://127.0.0.1:.../lab?token=... address it prints below "
          "(Ctrl+C twice stops it)", flush=True)
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    main()
