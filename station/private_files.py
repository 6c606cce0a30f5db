"""Folders and files only Station's own user may read: the database, jobs, backups, keys.

They hold customer addresses and the keys to secrets, so they are made 0600 in 0700
folders whatever the process umask says. SQLite gives its ``-wal`` and ``-shm`` files
the mode of the database file, so creating that file first (empty is a valid new
database) is enough for them too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and make it 0700."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing and make it 0600 (its content is left alone)."""
    with contextlib.suppress(FileExistsError):  # it exists: only its mode is changed
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    os.chmod(path, FILE_MODE)
    return path
