"""Attachment files: checked by content, kept on disk under random names outside any static route.

Allowed: PDF, JPEG, PNG and DOCX, at most 5 files of 10 MB each and 25 MB in all per letter. The type is decided
by the bytes, never by the name or the declared type: a PDF must start like a PDF, a DOCX must be a ZIP package
holding a Word document. The name the sender gave is shown, but never used on disk.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from portal.errors import N_, Invalid
from portal.store.letters.models import FILENAME_MAX

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 25 * 1024 * 1024
DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
# the type a file is served with, by what its content is
TYPES = {'pdf': 'application/pdf', 'jpeg': 'image/jpeg', 'png': 'image/png', 'docx': DOCX}
EXTENSIONS = {'application/pdf': '.pdf', 'image/jpeg': '.jpg', 'image/png': '.png', DOCX: '.docx'}
# the largest a DOCX may unpack to (a ZIP bomb is refused, not unpacked)
DOCX_UNPACKED_MAX = 100 * 1024 * 1024
# names checked against the database at a time when sweeping
SWEEP_BATCH = 500

_folder: Path | None = None


@dataclass(frozen=True)
class Upload:
    """A file as the sender gave it."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes
    size: int
    sha256: str


def use_folder(path: Path | str) -> None:
    """Keep attachment files in this folder (the app sets it from the settings; tests use a temporary one)."""
    global _folder  # noqa: PLW0603 — one folder per process, set at start
    _folder = Path(path)


def folder() -> Path:
    if _folder is None:
        from portal.config import get_settings

        use_folder(get_settings().files_dir)
    assert _folder is not None
    _folder.mkdir(parents=True, exist_ok=True)
    return _folder


def check_upload(upload: Upload) -> CheckedFile:
    """A file that may be attached, or a clear refusal naming the file."""
    name = check_filename(upload.filename)
    size = len(upload.content)
    if size == 0:
        raise Invalid('file_empty', N_('The file {name} is empty.'), field='attachments', name=name)
    if size > MAX_FILE_BYTES:
        raise Invalid(
            'file_too_large',
            N_('The file {name} is larger than {limit} MB.'),
            field='attachments',
            name=name,
            limit=MAX_FILE_BYTES // (1024 * 1024),
        )
    content_type = detect_type(upload.content)
    if content_type is None:
        raise Invalid(
            'file_type_not_allowed',
            N_('The file {name} is not a PDF, JPEG, PNG or DOCX document.'),
            field='attachments',
            name=name,
        )
    digest = hashlib.sha256(upload.content).hexdigest()
    return CheckedFile(filename=name, content_type=content_type, content=upload.content, size=size, sha256=digest)


def check_set(sizes: list[int]) -> None:
    """The limits on all of a letter's files together."""
    if len(sizes) > MAX_FILES:
        raise Invalid(
            'too_many_files', N_('At most {limit} files can be attached.'), field='attachments', limit=MAX_FILES
        )
    if sum(sizes) > MAX_TOTAL_BYTES:
        raise Invalid(
            'files_too_large',
            N_('The files together are larger than {limit} MB.'),
            field='attachments',
            limit=MAX_TOTAL_BYTES // (1024 * 1024),
        )


def check_filename(raw: str) -> str:
    """The sender's name for a file: no folders, no control characters, not empty, not too long."""
    name = unicodedata.normalize('NFC', raw or '').strip()
    bad = (
        not name
        or len(name) > FILENAME_MAX
        or '/' in name
        or '\\' in name
        or name in ('.', '..')
        or name.startswith('.')
        or any(unicodedata.category(c) in ('Cc', 'Cf', 'Zl', 'Zp') for c in name)
    )
    if bad:
        raise Invalid(
            'filename_invalid',
            N_('The file name is not allowed: use a plain name without folders or control characters.'),
            field='attachments',
        )
    return name


def detect_type(content: bytes) -> str | None:
    """The allowed type these bytes really are, or None."""
    if content.startswith(b'%PDF-'):
        return TYPES['pdf']
    if content.startswith(b'\xff\xd8\xff') and len(content) > 3:
        return TYPES['jpeg']
    if content.startswith(b'\x89PNG\r\n\x1a\n') and content[12:16] == b'IHDR':
        return TYPES['png']
    if content.startswith(b'PK\x03\x04') and _is_docx(content):
        return TYPES['docx']
    return None


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            infos = package.infolist()
            names = {i.filename for i in infos}
            if '[Content_Types].xml' not in names or 'word/document.xml' not in names:
                return False
            if sum(i.file_size for i in infos) > DOCX_UNPACKED_MAX:
                return False
            types = package.read('[Content_Types].xml')
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return False
    return b'wordprocessingml.document.main+xml' in types


def store_bytes(content: bytes, *, into: Path | None = None) -> str:
    """Write a file under a new random name (in ``into``, by default the attachment folder) and return the name;
    written whole or not at all."""
    name = secrets.token_hex(16)
    target = (into or folder()) / name
    temporary = target.with_suffix('.part')
    with temporary.open('wb') as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    temporary.replace(target)
    return name


def read_bytes(storage_name: str, *, within: Path | None = None) -> bytes:
    return ((within or folder()) / _safe(storage_name)).read_bytes()


def delete_file(storage_name: str, *, within: Path | None = None) -> None:
    ((within or folder()) / _safe(storage_name)).unlink(missing_ok=True)


def sha256_of(storage_name: str) -> str | None:
    """The hash of a stored file as it is on disk now (None when it is gone)."""
    try:
        return hashlib.sha256(read_bytes(storage_name)).hexdigest()
    except FileNotFoundError:
        return None


def _safe(storage_name: str) -> str:
    if not storage_name.isalnum() or not storage_name.isascii():
        raise ValueError('not a storage name')
    return storage_name


async def sweep(*, older_than: float, known: Callable[[list[str]], Awaitable[set[str]]]) -> int:
    """Delete the files (and unfinished ``.part`` files) written before a POSIX time that no attachment row names;
    ``known`` tells which of a batch of names the database holds. Returns how many were deleted."""
    deleted, batch = 0, []
    for path in folder().iterdir():
        if path.is_file() and path.stat().st_mtime < older_than:
            batch.append(path)
        if len(batch) >= SWEEP_BATCH:
            deleted += await _drop_unknown(batch, known)
            batch = []
    return deleted + await _drop_unknown(batch, known)


async def _drop_unknown(paths: list[Path], known: Callable[[list[str]], Awaitable[set[str]]]) -> int:
    if not paths:
        return 0
    held = await known([p.name.removesuffix('.part') for p in paths])
    dropped = [p for p in paths if p.name.removesuffix('.part') not in held]
    for path in dropped:
        path.unlink(missing_ok=True)
    return len(dropped)
