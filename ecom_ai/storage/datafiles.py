"""Reading the labelled data files staff hand to the shell commands (``--csv``)."""
from __future__ import annotations

import csv
import gzip
import io
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def open_text(path, errors: str = "strict") -> Iterator[io.TextIOWrapper]:
    """The file as UTF-8 text (a leading BOM dropped, newlines untranslated), gunzipped when it
    starts with the gzip magic bytes, whatever its name. ``errors``: how undecodable bytes are met
    (``"strict"`` raises ``UnicodeDecodeError``, ``"replace"`` puts U+FFFD in their place)."""
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    raw = gzip.open(path, "rb") if gz else open(path, "rb")
    with io.TextIOWrapper(raw, encoding="utf-8-sig", errors=errors, newline="") as fh:
        yield fh


@contextmanager
def open_csv(path) -> Iterator[csv.DictReader]:
    """A ``DictReader`` over a UTF-8 CSV file, gzipped or not (sniffed, whatever its name).

    A missing file raises ``FileNotFoundError`` and an unreadable one ``ValueError``, both naming the
    file, so commands can turn them into a clear error.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such CSV file: {path}")
    try:
        with open_text(path) as fh:
            yield csv.DictReader(fh)
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        raise ValueError(f"{path} is not a readable UTF-8 CSV (gzip accepted): {exc}") from exc
