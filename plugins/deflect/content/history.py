"""When each content file was first and last committed, from one ``git log`` over the whole tree.

One subprocess for any number of files: a 10,000-article site must not start 10,000 processes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileHistory:
    first_commit: dt.datetime
    last_commit: dt.datetime


def load_history(root: Path, folders: list[str]) -> dict[str, FileHistory]:
    """Map of path (relative to ``root``, POSIX) → first and last commit time (UTC).

    Empty when ``root`` is not in a Git work tree or Git is missing: dates are then unknown,
    never guessed from file modification times (a fresh clone gives every file the same one).
    """
    git = shutil.which("git")
    if git is None:
        return {}
    try:
        # Fails (and dates stay unknown) when root is not inside a Git work tree.
        subprocess.run([git, "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, check=True)
        out = subprocess.run(
            [git, "-c", "core.quotepath=off", "log", "--format=%x00%ct", "--name-only", "--no-renames",
             "--relative", "--", *folders],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout
    except (subprocess.CalledProcessError, OSError):
        return {}
    history: dict[str, FileHistory] = {}
    stamp: dt.datetime | None = None
    # git log lists newest first: the first time we see a path is its last commit, the last its first.
    for line in out.split("\n"):
        if line.startswith("\x00"):
            stamp = dt.datetime.fromtimestamp(int(line[1:]), tz=dt.timezone.utc)
        elif line and stamp is not None:
            known = history.get(line)
            history[line] = FileHistory(first_commit=stamp, last_commit=known.last_commit if known else stamp)
    return history
