"""The class roster of `make hub`: a plain CSV file, checked whole before anything is created.

    username,role,name
    ada,student,Ada Lovelace
    grace,instructor,Grace Hopper

`role` is `student` or `instructor`; `name` is optional (the column may be absent or the cell
empty). Every problem names its line: a missing column, an empty or invalid username (the Debian
`useradd` rule: lower-case letter or `_` first, then lower-case letters, digits, `_` or `-`, at most
32 characters), an unknown role, a username listed twice. `check_accounts` then compares the
roster with the machine: a system account, the grader account, or an existing user who holds the
other role's Unix group is refused, again naming the line. Nothing here changes the machine.
"""
from __future__ import annotations

import csv
import grp
import pwd
import re
from dataclasses import dataclass
from pathlib import Path

ROLES = ("student", "instructor")
USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
FIRST_LOGIN_UID = 1000  # Debian's FIRST_UID: accounts below it belong to the system, never to a class


class RosterError(ValueError):
    """A roster the hub refuses; the message names the file and line."""


@dataclass(frozen=True)
class Member:
    username: str
    role: str
    name: str
    line: int

    @property
    def first_last(self) -> tuple[str, str]:
        """(first name, last name) for nbgrader's gradebook: the last word is the last name."""
        first, _, last = self.name.strip().rpartition(" ")
        return first, last


def read_roster(path: str | Path) -> list[Member]:
    """Every member of the roster at `path`, in file order; RosterError on the first bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RosterError(f"cannot read the roster {path}: {error.strerror}") from None
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None:
        raise RosterError(f"{path}: the roster is empty; its first line must be the header `username,role,name`")
    columns = [c.strip().lower() for c in header]
    for needed in ("username", "role"):
        if needed not in columns:
            raise RosterError(f"{path}, line 1: missing column {needed!r} (the header is {','.join(header)!r}; "
                              f"expected `username,role` and optionally `name`)")
    unknown = [c for c in columns if c not in ("username", "role", "name")]
    if unknown:
        raise RosterError(f"{path}, line 1: unknown column(s) {unknown} (the columns are username, role, name)")
    members: list[Member] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) > len(columns):
            raise RosterError(f"{path}, line {line}: {len(row)} fields, the header has {len(columns)} "
                              f"(a name with a comma must be quoted)")
        cells = dict(zip(columns, (c.strip() for c in row)))
        username, role = cells.get("username", ""), cells.get("role", "").lower()
        if not username:
            raise RosterError(f"{path}, line {line}: the username is empty")
        if not USERNAME.fullmatch(username):
            raise RosterError(f"{path}, line {line}: invalid username {username!r} (lower-case letter or _ first, "
                              f"then lower-case letters, digits, _ or -, at most 32 characters)")
        if role not in ROLES:
            raise RosterError(f"{path}, line {line}: role {cells.get('role', '')!r} of {username!r} is neither "
                              f"'student' nor 'instructor'")
        if username in seen:
            raise RosterError(f"{path}, line {line}: duplicate username {username!r} (first on line {seen[username]})")
        seen[username] = line
        members.append(Member(username, role, cells.get("name", ""), line))
    if not any(m.role == "instructor" for m in members):
        raise RosterError(f"{path}: no instructor in the roster (at least one line with role 'instructor')")
    return members


def group_members(name: str) -> set[str]:
    """Users whose supplementary groups include Unix group `name` (empty when it does not exist)."""
    try:
        return set(grp.getgrnam(name).gr_mem)
    except KeyError:
        return set()


def check_accounts(members: list[Member], groups: dict[str, str], grader: str, path: str | Path) -> list[Member]:
    """Refuse roster lines that clash with accounts on this machine; return the members to create.

    `groups` maps each role to its Unix group (the hub's nbgrader groups). An existing account is
    accepted (a university's accounts) unless it is a system account, the grader account, or
    already holds the other role's group.
    """
    to_create = []
    for m in members:
        where = f"{path}, line {m.line}"
        if m.username == grader:
            raise RosterError(f"{where}: {m.username!r} is the course's grader account, which runs the formgrader; "
                              f"it cannot also be a {m.role}")
        try:
            account = pwd.getpwnam(m.username)
        except KeyError:
            to_create.append(m)
            continue
        if account.pw_uid < FIRST_LOGIN_UID:
            raise RosterError(f"{where}: {m.username!r} is an existing system account (uid {account.pw_uid}), "
                              f"not a person: choose another username")
        for role, group in groups.items():
            if role != m.role and m.username in group_members(group):
                raise RosterError(f"{where}: {m.username!r} already exists as a{'n' if role[0] in 'aeiou' else ''} "
                                  f"{role} (member of Unix group {group}); the roster says {m.role}. Remove them "
                                  f"from {group} (gpasswd -d {m.username} {group}) or fix the roster")
    return to_create
