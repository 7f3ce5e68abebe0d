"""tests/services.py's shared pieces that several test modules lean on at the same time."""
import os
import subprocess
import sys

import services
from services import open_for_others


def _mode(path) -> int:
    return os.stat(path).st_mode & 0o777


def test_open_for_others_closes_only_after_the_last_holder(tmp_path, monkeypatch):
    # Its own record of holders: the classroom and hub tests may hold the real one right now.
    monkeypatch.setattr(services, "OPENED", tmp_path / "opened.json")
    folder = tmp_path / "closed"
    folder.mkdir()
    (folder / "python").write_text("")
    os.chmod(folder, 0o700)
    with open_for_others([folder / "python"]):
        assert _mode(folder) == 0o701
        with open_for_others([folder / "python"]):   # another test module, same time
            pass
        assert _mode(folder) == 0o701, "closed while the first holder still needed it"
        # A holder that died without letting go (a killed xdist worker) does not keep it open.
        code = ("import os, sys; sys.path.insert(0, 'tests'); from pathlib import Path; "
                f"import services; services.OPENED = Path({str(tmp_path / 'opened.json')!r}); "
                "from services import open_for_others; "
                f"open_for_others([Path({str(folder / 'python')!r})]).__enter__(); os._exit(0)")
        subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert _mode(folder) == 0o700
