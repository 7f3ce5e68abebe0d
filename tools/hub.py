"""A class hub on one machine: JupyterHub for the course, what `make hub` runs.

    python -m tools.hub --roster roster.csv                # http://0.0.0.0:8000, state in /srv/shape-errors-hub
    python -m tools.hub --roster R --ip 127.0.0.1 --port 8123 --state DIR --grader NAME

It must run as root (PAM logins of other users, one Unix account per student, servers started as
them). In order, and only after every check passed (nothing is half-created):

1. checks: root, the port free, configurable-http-proxy on PATH, the roster (tools/hub_roster.py:
   every problem names its line) and the accounts it names (a system account, the grader account
   or a user holding the other role's group is refused);
2. Unix accounts: a missing student or instructor gets `useradd -m` and a random first password,
   listed in STATE/initial-passwords.csv (root only, mode 600); existing accounts keep theirs.
   Students join Unix group nbgrader-shape-errors, instructors formgrade-shape-errors (the hub
   groups nbgrader's JupyterHubAuthPlugin reads); the grader account (default grader-shape-errors)
   runs the formgrader;
3. the course folder STATE/course (the grader's, mode 700): nbgrader_config.py and source/ from this
   repository, the roster's students loaded into its gradebook with `nbgrader db student import`;
4. the exchange STATE/exchange (mode 1777, one folder per course: Exchange.path_includes_course);
5. configuration: STATE/jupyter-config (learners: Validate and the Assignments tab; Create
   Assignment, Formgrader and the course list hidden, like `make lab`), STATE/jupyter-config-instructor
   (all of nbgrader's UI), each with the hub's nbgrader_config.py, and STATE/jupyterhub_config.py;
6. `jupyterhub -f STATE/jupyterhub_config.py` in the foreground: Ctrl+C stops the hub, the proxy,
   the formgrader service and every student server.

PAM, not JupyterHub's NativeAuthenticator: each student needs a Unix account anyway (their server
and files run as them, which is what keeps one student's work from another), so the password is
that account's and nothing else stores one; docs/instructors.md ("JupyterHub") says more.
"""
from __future__ import annotations

import argparse
import csv
import errno
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

from tools import lab
from tools.hub_roster import Member, RosterError, check_accounts, read_roster

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
COURSE_ID = "shape-errors"
SERVICE = COURSE_ID  # the formgrader's hub service: /services/shape-errors/
GROUPS = {"student": f"nbgrader-{COURSE_ID}", "instructor": f"formgrade-{COURSE_ID}"}
DEFAULT_STATE = Path("/srv/shape-errors-hub")
DEFAULT_GRADER = f"grader-{COURSE_ID}"
PROXY = "configurable-http-proxy"

# Learners on the hub: Validate and the Assignments tab (fetch, submit, feedback) on; the
# instructor-only UI and the course list (which lists courses one can grade) off.
LEARNER_SERVER_OFF = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
LEARNER_PLUGINS_OFF = ["@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                       "@jupyter/nbgrader:course-list", "@jupyterlab/apputils-extension:announcements"]


class HubError(SystemExit):
    """A reason `make hub` cannot start, said plainly (exit status 1)."""

    def __init__(self, message: str):
        super().__init__(f"make hub: {message}")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


# --------------------------------------------------------------------------- checks

def port_taken(ip: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unreachable_by_others(targets: list[Path]) -> list[Path]:
    """Folders above `targets` other users cannot pass through (no o+x), and targets they cannot read."""
    closed = []
    for target in targets:
        for folder in reversed(target.parents):
            if not os.stat(folder).st_mode & stat.S_IXOTH and folder not in closed:
                closed.append(folder)
        if not os.stat(target).st_mode & stat.S_IROTH:
            closed.append(target)
    return closed


def preflight(args) -> tuple[list[Member], list[Member]]:
    """Every check before anything is made: (roster members, the members whose accounts are new)."""
    if os.geteuid() != 0:
        raise HubError("must run as root (sudo make hub): the hub logs students in with PAM, creates their "
                       "Unix accounts and starts each student's server as that student")
    if port_taken(args.ip, args.port):
        raise HubError(f"port {args.port} on {args.ip} is already in use (another hub or server?): stop it or "
                       f"choose another with --port (make hub PORT=...)")
    closed = unreachable_by_others([Path(os.path.realpath(sys.executable)), VENV_BIN / "jupyterhub-singleuser",
                                    REPO / "course" / "__init__.py"])
    if closed:
        raise HubError(f"students cannot run this course's Python: {', '.join(map(str, closed))} "
                       f"{'is' if len(closed) == 1 else 'are'} closed to other users; open them with "
                       f"`chmod o+x {' '.join(str(c) for c in closed if c.is_dir())}` (search only, not listing) "
                       f"and make the checkout and its venv world-readable (chmod -R o+rX)")
    if shutil.which(PROXY) is None:
        raise HubError(f"{PROXY} not found on PATH: install it with `make system` (npm install -g {PROXY})")
    try:
        members = read_roster(args.roster)
        return members, check_accounts(members, GROUPS, args.grader, args.roster)
    except RosterError as error:
        raise HubError(f"roster refused, nothing was created: {error}") from None


# --------------------------------------------------------------------------- accounts

def run(cmd: list, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise HubError(f"`{' '.join(map(str, cmd))}` failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return proc


def ensure_group(name: str) -> None:
    if subprocess.run(["getent", "group", name], capture_output=True).returncode != 0:
        run(["groupadd", name])


def create_accounts(members: list[Member], new: list[Member], grader: str, state: Path) -> dict[str, str]:
    """Make the missing accounts, the role groups and the grader; {username: first password} of new
    accounts. If one step fails, the accounts made by this call are removed again."""
    made, passwords = [], {}
    try:
        for group in GROUPS.values():
            ensure_group(group)
        try:
            pwd.getpwnam(grader)
        except KeyError:
            run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", grader])
            made.append(grader)
        for m in new:
            comment = ["--comment", m.name] if m.name else []
            # A private home (Debian's default is 755): a student's answers and feedback are theirs alone.
            run(["useradd", "--create-home", "--key", "HOME_MODE=0700", "--shell", "/bin/bash", *comment, m.username])
            made.append(m.username)
            passwords[m.username] = secrets.token_urlsafe(9)
        if passwords:
            run(["chpasswd"], input="".join(f"{u}:{p}\n" for u, p in passwords.items()))
        for m in members:
            run(["usermod", "--append", "--groups", GROUPS[m.role], m.username])
    except BaseException:
        for name in reversed(made):
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        raise
    for m in members:
        home = Path(pwd.getpwnam(m.username).pw_dir)
        if m.role == "student" and home.is_dir() and os.stat(home).st_mode & 0o077:
            say(f"warning: {home} ({m.username}'s home) is open to other users ({oct(os.stat(home).st_mode & 0o777)}): "
                f"other students can read their notebooks and feedback; `chmod 700 {home}` closes it")
    if passwords:
        out = state / "initial-passwords.csv"
        known = {}
        if out.exists():
            with open(out, newline="") as fh:
                known = {r["username"]: r["password"] for r in csv.DictReader(fh)}
        known.update(passwords)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["username", "password"])
            writer.writerows(sorted(known.items()))
    return passwords


# --------------------------------------------------------------------------- course and exchange

def as_user(user: str) -> dict:
    pw = pwd.getpwnam(user)
    return dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])


def course_environment(config_dir: Path, home: str, user: str) -> dict:
    env = lab.environment({"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home,
                           "USER": user, "LOGNAME": user}, config_dir)
    return env


def prepare_course(state: Path, grader: str, members: list[Member], instructor_config: Path) -> Path:
    """The grader's course folder: config and sources from this repository, the students in its gradebook."""
    course = state / "course"
    pw = pwd.getpwnam(grader)
    course.mkdir(mode=0o700, exist_ok=True)
    os.chown(course, pw.pw_uid, pw.pw_gid)
    os.chmod(course, 0o700)
    if not (course / "nbgrader_config.py").exists():
        shutil.copy(REPO / "nbgrader_config.py", course)
    if not (course / "source").exists():
        shutil.copytree(REPO / "source", course / "source",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for path in [course, *course.rglob("*")]:
        os.chown(path, pw.pw_uid, pw.pw_gid, follow_symlinks=False)
    students = course / ".roster-students.csv"
    with open(students, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "first_name", "last_name"])
        writer.writerows([m.username, *m.first_last] for m in members if m.role == "student")
    os.chown(students, pw.pw_uid, pw.pw_gid)
    run([VENV_BIN / "nbgrader", "db", "student", "import", students.name], cwd=course,
        env=course_environment(instructor_config, pw.pw_dir, grader), **as_user(grader))
    return course


def prepare_exchange(state: Path) -> Path:
    exchange = state / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o1777)  # nbgrader's documented mode: everyone writes, the sticky bit guards
    return exchange


# --------------------------------------------------------------------------- configuration

NBGRADER_HUB_CONFIG = """\
# nbgrader on the class hub (written by tools/hub.py): one exchange folder per course, courses and
# their students from the hub's groups (formgrade-<course> grades, nbgrader-<course> takes part).
import os
c = get_config()
c.Exchange.root = {exchange!r}
c.Exchange.path_includes_course = True
# Inside the hub (a user's server, the formgrader service) nbgrader asks the hub for groups; the
# grader's command line outside it (nbgrader release_assignment, db import) has no hub token.
if os.environ.get("JUPYTERHUB_API_TOKEN"):
    from nbgrader.auth import JupyterHubAuthPlugin
    c.Authenticator.plugin_class = JupyterHubAuthPlugin
"""


def write_jupyter_configs(state: Path, exchange: Path) -> tuple[Path, Path]:
    """(learner, instructor) Jupyter config folders, each with the hub's nbgrader_config.py."""
    learner = lab.write_config(state / "jupyter-config", instructor=True)  # start from all-on ...
    off = {"ServerApp": {"jpserver_extensions": {n: False for n in LEARNER_SERVER_OFF}},
           "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}}
    (learner / "jupyter_server_config.json").write_text(json.dumps(off, indent=2) + "\n")  # ... then hide
    (learner / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {n: True for n in LEARNER_PLUGINS_OFF}}, indent=2) + "\n")
    instructor = state / "jupyter-config-instructor"
    on = {"ServerApp": {"jpserver_extensions": {}},
          "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}}
    (instructor / "labconfig").mkdir(parents=True, exist_ok=True)
    (instructor / "jupyter_server_config.json").write_text(json.dumps(on, indent=2) + "\n")
    (instructor / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}, indent=2) + "\n")
    for folder in (learner, instructor):
        (folder / "nbgrader_config.py").write_text(NBGRADER_HUB_CONFIG.format(exchange=str(exchange)))
        for path in [folder, *folder.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return learner, instructor


HUB_CONFIG = """\
# JupyterHub for the shape-errors course, written by `python -m tools.hub` (make hub); regenerated
# at every start. docs/instructors.md ("JupyterHub") says which parts carry over to an existing hub.
c = get_config()
members = {members!r}  # username -> role, from the roster
instructors = sorted(u for u, r in members.items() if r == "instructor")
students = sorted(u for u, r in members.items() if r == "student")

c.JupyterHub.ip = {ip!r}
c.JupyterHub.port = {port!r}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port!r}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.JupyterHub.db_url = "sqlite:///" + {state!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {state!r} + "/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = {state!r} + "/jupyterhub-proxy.pid"
c.JupyterHub.cleanup_servers = True  # Ctrl+C stops every student server too

# Unix accounts, their own passwords (PAM); only the roster may log in.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no login session bookkeeping (utmp) for a web login
c.Authenticator.allowed_users = set(members)
c.Authenticator.admin_users = set()

# Each user's JupyterLab, started as that Unix user from the course's environment.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {environment!r}
learner_config, instructor_config = {learner_config!r}, {instructor_config!r}


def course_ui(spawner):
    # Learners get `make lab`'s UI plus the Assignments tab; instructors also the formgrader's.
    config = instructor_config if members.get(spawner.user.name) == "instructor" else learner_config
    spawner.environment["JUPYTER_CONFIG_PATH"] = config


c.Spawner.pre_spawn_hook = course_ui

# nbgrader's JupyterHub set-up: the course's groups, the formgrader as a service run by the grader.
c.JupyterHub.load_groups = {{
    {student_group!r}: {{"users": students}},
    {instructor_group!r}: {{"users": instructors + [{grader!r}]}},
}}
c.JupyterHub.load_roles = [
    # single-user servers act with their user's permissions: nbgrader reads the user's groups
    {{"name": "server", "scopes": ["inherit"]}},
    {{"name": "formgrade-" + {course_id!r}, "groups": [{instructor_group!r}],
      "scopes": ["access:services!service=" + {service!r}]}},
    # the grader account runs the service and may list the course's students (nbgrader's plugin)
    {{"name": "grader-" + {course_id!r}, "users": [{grader!r}], "services": [{service!r}],
      "scopes": ["list:users", "read:users:groups", "read:groups", "admin:groups"]}},
]
c.JupyterHub.services = [{{
    "name": {service!r},
    "url": "http://127.0.0.1:{service_port}",
    "command": [{singleuser!r}, "--ServerApp.root_dir=" + {course!r}],
    "user": {grader!r},
    "cwd": {course!r},
    "environment": {service_environment!r},
    "oauth_no_confirm": True,
    "timeout": 300,  # a JupyterLab server's first start on a busy 2-core machine takes a minute
}}]
"""


def write_hub_config(state: Path, args, members: list[Member], course: Path, learner: Path,
                     instructor: Path) -> Path:
    base_env = lab.environment({"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}, learner)
    base_env.pop("JUPYTER_CONFIG_PATH")  # set per user by the pre-spawn hook
    service_env = dict(base_env, JUPYTER_CONFIG_PATH=str(instructor), JUPYTERHUB_DEFAULT_URL="/lab",
                       HOME=pwd.getpwnam(args.grader).pw_dir)
    text = HUB_CONFIG.format(
        members={m.username: m.role for m in members}, ip=args.ip, port=args.port, hub_port=free_port(),
        proxy_api_port=free_port(), service_port=free_port(), state=str(state),
        singleuser=str(VENV_BIN / "jupyterhub-singleuser"), environment=base_env, service_environment=service_env,
        learner_config=str(learner), instructor_config=str(instructor), student_group=GROUPS["student"],
        instructor_group=GROUPS["instructor"], grader=args.grader, course_id=COURSE_ID, service=SERVICE,
        course=str(course))
    path = state / "jupyterhub_config.py"
    path.write_text(text)
    os.chmod(path, 0o600)
    return path


# --------------------------------------------------------------------------- main

def setup(args) -> Path:
    """Checks, accounts, course, exchange and configuration; the hub config's path."""
    members, new = preflight(args)
    state = Path(args.state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)  # users read the config folders and reach the exchange inside
    passwords = create_accounts(members, new, args.grader, state)
    exchange = prepare_exchange(state)
    learner, instructor = write_jupyter_configs(state, exchange)
    course = prepare_course(state, args.grader, members, instructor)
    config = write_hub_config(state, args, members, course, learner, instructor)
    counts = {r: sum(m.role == r for m in members) for r in ("student", "instructor")}
    say(f"roster {args.roster}: {counts['student']} student(s), {counts['instructor']} instructor(s); "
        f"{len(passwords)} new account(s)" + (f", first passwords in {state / 'initial-passwords.csv'}"
                                              if passwords else ""))
    say(f"course folder {course} (grader account {args.grader}), exchange {exchange}")
    return config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.hub", description=__doc__.splitlines()[0])
    parser.add_argument("--roster", required=True, help="CSV file: username,role[,name] (role: student|instructor)")
    parser.add_argument("--ip", default="0.0.0.0", help="address the hub listens on (default: every interface)")
    parser.add_argument("--port", type=int, default=8000, help="the hub's port (default 8000)")
    parser.add_argument("--state", default=str(DEFAULT_STATE), help=f"hub folder (default {DEFAULT_STATE})")
    parser.add_argument("--grader", default=DEFAULT_GRADER, help=f"account running the formgrader ({DEFAULT_GRADER})")
    args = parser.parse_args(argv)
    config = setup(args)
    host = socket.getfqdn() if args.ip == "0.0.0.0" else args.ip
    url = f"http://{host}:{args.port}"
    say(f"starting JupyterHub at {url}/ (Ctrl+C stops the hub, the formgrader and every student server)")
    print(f"    students: log in at {url}/hub/login, then Nbgrader > Assignment List to fetch, submit and "
          f"fetch feedback\n"
          f"    instructors: {url}/services/{SERVICE}/formgrader (generate and release), or as {args.grader}: "
          f"nbgrader release_assignment NAME in {Path(args.state).resolve() / 'course'}\n"
          f"    grading: python -m autograder grade NAME --course {Path(args.state).resolve() / 'course'} "
          f"(as {args.grader}); docs/instructors.md, section JupyterHub", flush=True)
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    os.chdir(Path(args.state).resolve())
    cmd = [str(VENV_BIN / "jupyterhub"), "-f", str(config)]
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    main()
