"""Writing a report folder atomically: everything goes to a temporary folder beside the
destination, which is renamed into place only when complete. An interrupted run leaves no
half-written report that looks whole (at worst a hidden ``.DIR.partial-*`` folder, removed on
the way out when Python can), and an existing folder is replaced only when asked."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["ReportExists", "atomic_directory", "check_destination"]


class ReportExists(FileExistsError):
    """The destination folder exists and was not to be replaced."""

    def __init__(self, path: Path):
        super().__init__(f"{path} already exists; give --force to replace it (nothing was written)")
        self.path = path


def check_destination(out: str | Path, force: bool = False) -> Path:
    """``out`` as a Path, after checking it can be written: ReportExists when it exists (as
    anything) and ``force`` is false; NotADirectoryError when it exists as a file even with
    ``force``. Called before a long run, so that it is refused at once, and again on renaming."""
    path = Path(out)
    if path.exists() or path.is_symlink():
        if not force:
            raise ReportExists(path)
        if not path.is_dir() or path.is_symlink():
            raise NotADirectoryError(f"{path} exists and is not a folder; --force replaces only a report folder")
    return path


@contextlib.contextmanager
def atomic_directory(out: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a new empty folder beside ``out`` to write the report in; when the block ends
    without an exception, rename it to ``out`` (a folder already there is replaced only with
    ``force``: it is renamed aside first, then removed). On an exception the temporary folder
    is removed and ``out`` is left as it was.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with atomic_directory(d) as tmp:
    ...     _ = (tmp / "a.txt").write_text("a")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    dest = check_destination(out, force)
    parent = dest.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 is for the writing, not the report
        dest = check_destination(out, force)
        if dest.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=parent))
            os.rename(dest, aside / dest.name)
            os.rename(tmp, dest)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            # rename(2) would quietly replace an empty folder created meanwhile: the check
            # above makes that window the length of one system call.
            os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
