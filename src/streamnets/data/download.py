"""Safe downloads of datasets and weights: verified, atomic, cached, resumable.

* The bytes go to ``<dest>.part``; only a complete transfer whose SHA-256 matches (when one
  is given) is renamed to ``dest`` (``os.replace``), so ``dest`` is never half-written.
* Nothing that cannot be verified is cached. A body counts as complete only when it has the
  length the server announced (``Content-Length``, or the total of a ``Content-Range``) and,
  when ``sha256`` is given, that hash. A server that announces no length is accepted only
  together with ``sha256``; otherwise :class:`DownloadError` is raised before the body is
  read and nothing is kept (no ``dest``, no ``.part``). A body longer than announced, a
  ``206`` answer to a request for the whole file, or an invalid ``Content-Length`` is an
  error too, and the download is deleted.
* Resuming never splices two different files. With the first response, its validator (a
  strong ``ETag``, else a ``Last-Modified`` date that is itself a strong validator: at least
  60 s older than the response's ``Date``) is recorded next to the part file in
  ``<dest>.part.json`` (url, validator, total length; written atomically). A weak ``ETag``
  (``W/"..."``) counts as no validator (RFC 9110 forbids it in ``If-Range``).
* A transfer cut short raises :class:`DownloadError`. If a validator was recorded, ``<dest>.part``
  and its sidecar are kept and the next call resumes with ``Range: bytes=N-`` plus
  ``If-Range: <validator>``: a ``206`` with the matching ``Content-Range`` (and the recorded
  total) is appended; a ``200`` (the file changed, or ranges unsupported) restarts from zero,
  truncating the part; any other partial answer is discarded and the download restarts from
  zero. Without a validator (or for another URL) a partial file cannot be resumed safely: it
  is deleted, and a stale ``.part`` without a matching sidecar is discarded and fetched anew.
* A wrong checksum deletes the ``.part`` file and raises, naming both hashes. With ``size``
  (the file's length in bytes, when it is published), a server announcing another length is
  refused before the body is read, and a body of another length is deleted; ``size`` alone
  (like ``sha256``) also makes a server that announces no length acceptable.
* The sidecar is removed whenever the ``.part`` is (completion, checksum mismatch, refusal).
* Every argument is checked (``ValueError``) before any network access.
* An existing ``dest`` is re-used without any network access (when ``sha256`` or ``size``
  is given it must match, otherwise the file is fetched again).
* Archives (``.tar``, ``.tar.gz``/``.tgz``, ``.zip``) are extracted into a temporary sibling
  folder and renamed into place when complete. Tar members go through ``tarfile``'s
  ``"data"`` filter (no absolute paths, no ``..``, no links pointing outside, no devices);
  zip members with absolute or escaping paths, or symbolic links, are refused.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import json
import math
import os
import re
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from http.client import HTTPException
from pathlib import Path, PurePosixPath

from tqdm.auto import tqdm

CHUNK = 1 << 16
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
#: Written inside an extracted folder once extraction finished: marks a usable cache.
EXTRACTED_MARKER = ".streamnets-extracted"
#: A Last-Modified date is a strong validator only this long before the response's Date.
STRONG_DATE_MARGIN = datetime.timedelta(seconds=60)


class DownloadError(RuntimeError):
    """A download or extraction failed; the message says what to do."""


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in chunks.

    Args:
        path: the file to hash (read in 1 MiB blocks, so any size fits in memory).

    Returns:
        The digest as 64 lower-case hex digits.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_sha256(sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ValueError(f"sha256 must be 64 hexadecimal characters (or None), got {sha256!r}.")
    return sha256.lower()


def _archive_stem(name: str) -> str:
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    raise ValueError(
        f"extract=True needs an archive named *{', *'.join(ARCHIVE_SUFFIXES)}; got {name!r}."
    )


def download(url: str, dest: str | os.PathLike, sha256: str | None = None,
             extract: bool = False, progress: bool = True, timeout: float = 60.0,
             size: int | None = None) -> Path:
    """Fetch ``url`` to the file ``dest`` (or into ``dest`` if it is a folder) and return its
    path; with ``extract=True`` unpack the archive next to it and return that folder
    (``<folder>/<archive name without suffix>``). See the module docstring for guarantees.

    Args:
        url: an ``http(s)://`` or ``file://`` URL.
        dest: the file to write, or an existing folder to write it into.
        sha256: the file's SHA-256 (64 hex digits), checked before the file is kept.
        extract: unpack a ``.tar``/``.tar.gz``/``.tgz``/``.zip`` archive safely.
        progress: show a progress bar.
        timeout: seconds to wait for the server.
        size: the file's length in bytes, checked against the announced length before the
            body is read and against the body before the file is kept.
    """
    parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https", "file") or (
            parts.scheme != "file" and not parts.netloc):
        raise ValueError(f"url must be an http(s):// or file:// URL, got {url!r}.")
    expected = _check_sha256(sha256)
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ValueError(f"size must be None or a byte count >= 0, got {size!r}.")
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    target = Path(dest)
    if target.is_dir():
        name = Path(urllib.parse.unquote(parts.path)).name
        if not name:
            raise ValueError(f"cannot name a file after {url!r}; pass a file path as dest.")
        target = target / name
        if target.is_dir():
            raise ValueError(f"{target} is a folder; pass a file path as dest.")
    folder = target.parent / _archive_stem(target.name) if extract else None
    if folder is not None and (folder / EXTRACTED_MARKER).is_file():
        return folder
    if not (target.is_file() and (size is None or target.stat().st_size == size)
            and (expected is None or sha256_of(target) == expected)):
        target.parent.mkdir(parents=True, exist_ok=True)
        _fetch(url, target, expected, size, progress, timeout)
    if folder is None:
        return target
    extract_archive(target, folder)
    return folder


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _write_json_atomically(path: Path, record: dict) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _header_value(value: str | None) -> str | None:
    """``value`` stripped, or None when it is missing or could not be sent back as a header."""
    value = (value or "").strip()
    return value if re.fullmatch(r"[\x21-\x7e][\x20-\x7e]*", value) else None


def _http_date(value: str | None) -> datetime.datetime | None:
    try:
        date = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    return date if date is not None and date.tzinfo is not None else None


def _validator(headers) -> str | None:
    """What ``If-Range`` may carry for this response (RFC 9110, 13.1.5), or None: a strong
    ETag; without any ETag, a Last-Modified date that is a strong validator (at least
    ``STRONG_DATE_MARGIN`` before the response's Date)."""
    if headers.get("ETag") is not None:
        etag = _header_value(headers.get("ETag"))
        return None if etag is None or etag[:2].upper() == "W/" else etag
    modified = _header_value(headers.get("Last-Modified"))
    when, sent = _http_date(modified), _http_date(headers.get("Date"))
    if when is None or sent is None or sent - when < STRONG_DATE_MARGIN:
        return None
    return modified


def _recorded(url: str, part: Path, meta: Path) -> tuple[int, str | None, int | None]:
    """``(bytes to resume from, validator, total length)`` of a resumable ``part``; a part that
    cannot be resumed safely (no sidecar, another URL, no validator, too long) is deleted."""
    have = part.stat().st_size if part.is_file() else 0
    try:
        record = json.loads(meta.read_text(encoding="utf-8")) if have else None
    except (OSError, ValueError):
        record = None
    if isinstance(record, dict) and record.get("url") == url:
        validator = record.get("validator")
        total = record.get("total")
        if (isinstance(validator, str) and _header_value(validator) == validator
                and validator[:2].upper() != "W/"
                and (total is None or (type(total) is int and have < total))):
            return have, validator, total
    _discard(part, meta)
    return 0, None, None


def _content_length(url: str, headers) -> int | None:
    value = headers.get("Content-Length")
    if value is None:
        return None
    if not re.fullmatch(r"\s*\d+\s*", value):
        raise DownloadError(f"{url} sent an invalid Content-Length ({value!r}); nothing was "
                            f"saved. Try again later, or report the fault to the server's owner.")
    return int(value)


def _content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``(first, last, total or None)`` of a ``bytes first-last/total`` Content-Range."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", value or "")
    if match is None:
        return None
    first, last = int(match[1]), int(match[2])
    total = None if match[3] == "*" else int(match[3])
    if last < first or (total is not None and last >= total):
        return None
    return first, last, total


def _open(url: str, have: int, validator: str | None, timeout: float):
    """The response to a plain GET, or to a conditional range request when ``have`` bytes are
    on disk; None when the server says that range is not satisfiable (HTTP 416)."""
    headers = {"Range": f"bytes={have}-", "If-Range": validator} if have else {}
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                      timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 416 and have:  # our partial file is already complete (or bogus)
            return None
        raise DownloadError(
            f"downloading {url} failed: HTTP {error.code} {error.reason}.") from None
    except (urllib.error.URLError, OSError, HTTPException) as error:
        raise DownloadError(f"cannot reach {url}: {error}. Check the URL and network.") from None


def _fetch(url: str, target: Path, expected: str | None, size: int | None, progress: bool,
           timeout: float) -> None:
    part = target.with_name(target.name + ".part")
    meta = target.with_name(target.name + ".part.json")
    while True:  # at most twice: a restart sends no Range, so it cannot ask for another one
        have, validator, recorded = _recorded(url, part, meta)
        response = _open(url, have, validator, timeout)
        if response is None:
            _discard(part, meta)
            continue
        with response:
            status = getattr(response, "status", None) or 200
            headers = response.headers
            try:
                length = _content_length(url, headers)
            except DownloadError:
                _discard(part, meta)
                raise
            if status == 206:
                if not have:
                    _discard(part, meta)
                    raise DownloadError(
                        f"{url} answered a request for the whole file with a part of it (HTTP "
                        f"206, {headers.get('Content-Range')!r}); nothing was saved.")
                span = _content_range(headers.get("Content-Range"))
                etag, modified = headers.get("ETag"), headers.get("Last-Modified")
                if (span is None or span[0] != have
                        or (length is not None and length != span[1] - span[0] + 1)
                        or (None not in (span[2], recorded) and span[2] != recorded)
                        or (validator.startswith('"') and etag is not None
                            and etag.strip() != validator)
                        or (not validator.startswith('"') and modified is not None
                            and modified.strip() != validator)):
                    _discard(part, meta)  # not provably the rest of our file: start again
                    continue
                total = span[2] if span[2] is not None else recorded
                limit = span[1] + 1
            else:  # the whole file (again): restart from zero
                have, total = 0, length
                validator = _validator(headers) if status == 200 else None
                limit = total
            if size is not None and total is not None and total != size:
                _discard(part, meta)
                raise DownloadError(
                    f"{url} announces {total} bytes, but the file must have {size}: it is not "
                    f"the expected file (moved, replaced or an error page). Nothing was saved; "
                    f"check the URL.")
            if total is None and expected is None and size is None:
                _discard(part, meta)
                raise DownloadError(
                    f"cannot verify the download of {url}: the server gave no length (no "
                    f"Content-Length header) and no checksum was given, so a cut-off transfer "
                    f"could not be told from a complete file. Nothing was saved; pass "
                    f"sha256='<64 hex digits>' (the file's SHA-256) to download it.")
            if not have:
                meta.unlink(missing_ok=True)  # never let an old validator describe new bytes
                part.write_bytes(b"")
                if validator is not None:
                    _write_json_atomically(meta, {"url": url, "validator": validator,
                                                  "total": total})
            _receive(response, url, part, meta, have, limit, total, validator is not None,
                     progress, target.name)
        break
    if size is not None and part.stat().st_size != size:
        got = part.stat().st_size
        _discard(part, meta)
        raise DownloadError(f"size mismatch for {url}: expected {size} bytes, got {got}. The "
                            f"download was deleted; check the URL, then try again.")
    if expected is not None:
        actual = sha256_of(part)
        if actual != expected:
            _discard(part, meta)
            raise DownloadError(
                f"checksum mismatch for {url}: expected sha256 {expected}, got {actual}. The "
                f"download was deleted; check the URL/hash, then try again.")
    os.replace(part, target)
    meta.unlink(missing_ok=True)


def _receive(response, url: str, part: Path, meta: Path, have: int, limit: int | None,
             total: int | None, resumable: bool, progress: bool, name: str) -> None:
    """Append the body to ``part`` (which holds ``have`` bytes); raise unless it ends at
    ``total``, keeping the part only when it can be resumed safely."""
    if resumable:
        kept = f"the partial file {part} is kept: call download() again to resume."
    else:
        kept = ("the server sent no strong validator (ETag or Last-Modified), so the partial "
                "file cannot be resumed safely and was deleted: call download() again to "
                "start over.")
    received = have
    with open(part, "ab") as handle, tqdm(
            total=total, initial=received, unit="B", unit_scale=True, unit_divisor=1024,
            desc=name, disable=not progress, leave=False) as bar:
        try:
            for block in iter(lambda: response.read(CHUNK), b""):
                if limit is not None and received + len(block) > limit:
                    handle.close()
                    _discard(part, meta)
                    raise DownloadError(
                        f"{url} sent more bytes than the {limit} it announced, so the body "
                        f"cannot be trusted; the download was deleted. Try again later, or "
                        f"report the fault to the server's owner.")
                handle.write(block)
                received += len(block)
                bar.update(len(block))
        except (OSError, HTTPException) as error:
            handle.close()
            if not resumable:
                _discard(part, meta)
            raise DownloadError(
                f"transfer of {url} broke after {received} bytes ({error}); {kept}") from None
    if total is not None and received < total:
        if not resumable:
            _discard(part, meta)
        raise DownloadError(
            f"transfer of {url} was truncated: got {received} of {total} bytes; {kept}")


def _safe_zip_members(archive: zipfile.ZipFile, name: str) -> None:
    for member in archive.infolist():
        path = PurePosixPath(member.filename.replace("\\", "/"))
        mode = member.external_attr >> 16
        if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", member.filename):
            raise DownloadError(f"refusing to extract {name}: member {member.filename!r} would "
                                f"be written outside the target folder.")
        if stat.S_ISLNK(mode):
            raise DownloadError(f"refusing to extract {name}: member {member.filename!r} is a "
                                f"symbolic link.")


def extract_archive(archive: str | os.PathLike, folder: str | os.PathLike) -> Path:
    """Unpack a tar/zip archive into ``folder`` safely and atomically (see module docstring).

    Args:
        archive: a ``.tar``, ``.tar.gz``/``.tgz`` or ``.zip`` file (other names raise
            ``ValueError``).
        folder: the folder to create; it must not exist yet, and its parent must. The
            archive's members land inside it, with an :data:`EXTRACTED_MARKER` file.

    Returns:
        ``folder``, as a ``Path``.

    Raises:
        DownloadError: ``folder`` exists, a member is unsafe, the archive is damaged, or
            this Python lacks tarfile's ``"data"`` filter; nothing is left behind.
    """
    archive, folder = Path(archive), Path(folder)
    _archive_stem(archive.name)  # validates the suffix
    if not hasattr(tarfile, "data_filter"):
        raise DownloadError("safe tar extraction needs Python 3.10.12+, 3.11.4+ or 3.12+ "
                            "(tarfile's 'data' filter); upgrade Python to extract archives.")
    if folder.exists():
        raise DownloadError(f"{folder} already exists but was not extracted by download() (no "
                            f"{EXTRACTED_MARKER} marker); move it away, or point at it directly.")
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as handle:
                _safe_zip_members(handle, archive.name)
                handle.extractall(staging)
        else:
            with tarfile.open(archive) as handle:
                handle.extractall(staging, filter="data")
        (staging / EXTRACTED_MARKER).write_text(archive.name + "\n")
        os.replace(staging, folder)
    except tarfile.FilterError as error:
        raise DownloadError(f"refusing to extract {archive.name}: {error} (a member would be "
                            f"written outside the target folder or is an unsafe link). "
                            f"Nothing was extracted.") from None
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
        raise DownloadError(f"cannot extract {archive}: {error}. Nothing was extracted; if "
                            f"the archive is damaged, delete it and download again.") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder
