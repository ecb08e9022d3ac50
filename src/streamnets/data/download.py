"""Safe downloads of datasets and weights: verified, atomic, cached, resumable.

* The bytes go to ``<dest>.part``; only a complete transfer whose SHA-256 matches (when one
  is given) is renamed to ``dest`` (``os.replace``), so ``dest`` is never half-written.
* A transfer cut short keeps ``<dest>.part`` and raises :class:`DownloadError`; the next call
  resumes it with an HTTP ``Range`` request (or starts again if the server ignores ranges).
* A wrong checksum deletes the ``.part`` file and raises, naming both hashes.
* An existing ``dest`` is re-used without any network access (when ``sha256`` is given it
  must match, otherwise the file is fetched again).
* Archives (``.tar``, ``.tar.gz``/``.tgz``, ``.zip``) are extracted into a temporary sibling
  folder and renamed into place when complete. Tar members go through ``tarfile``'s
  ``"data"`` filter (no absolute paths, no ``..``, no links pointing outside, no devices);
  zip members with absolute or escaping paths, or symbolic links, are refused.
"""

from __future__ import annotations

import hashlib
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


class DownloadError(RuntimeError):
    """A download or extraction failed; the message says what to do."""


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in chunks."""
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
             extract: bool = False, progress: bool = True, timeout: float = 60.0) -> Path:
    """Fetch ``url`` to the file ``dest`` (or into ``dest`` if it is a folder) and return its
    path; with ``extract=True`` unpack the archive next to it and return that folder
    (``<folder>/<archive name without suffix>``). See the module docstring for guarantees."""
    if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in ("http", "https",
                                                                              "file"):
        raise ValueError(f"url must be an http(s):// or file:// URL, got {url!r}.")
    expected = _check_sha256(sha256)
    target = Path(dest)
    if target.is_dir():
        name = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name
        if not name:
            raise ValueError(f"cannot name a file after {url!r}; pass a file path as dest.")
        target = target / name
    folder = target.parent / _archive_stem(target.name) if extract else None
    if folder is not None and (folder / EXTRACTED_MARKER).is_file():
        return folder
    if not (target.is_file() and (expected is None or sha256_of(target) == expected)):
        target.parent.mkdir(parents=True, exist_ok=True)
        _fetch(url, target, expected, progress, timeout)
    if folder is None:
        return target
    extract_archive(target, folder)
    return folder


def _fetch(url: str, target: Path, expected: str | None, progress: bool, timeout: float) -> None:
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # our partial file is already complete (or bogus)
            part.unlink()
            return _fetch(url, target, expected, progress, timeout)
        raise DownloadError(
            f"downloading {url} failed: HTTP {error.code} {error.reason}.") from None
    except (urllib.error.URLError, OSError, HTTPException) as error:
        raise DownloadError(f"cannot reach {url}: {error}. Check the URL and network.") from None
    with response:
        resumed = bool(have) and getattr(response, "status", 200) == 206
        content_range = response.headers.get("Content-Range", "")
        if resumed and not content_range.startswith(f"bytes {have}-"):
            raise DownloadError(f"{url} answered a resume request with the wrong range "
                                f"({content_range!r}); delete {part} and try again.")
        length = response.headers.get("Content-Length")
        total = (int(length) + (have if resumed else 0)) if length is not None else None
        received = have if resumed else 0
        with open(part, "ab" if resumed else "wb") as handle, tqdm(
                total=total, initial=received, unit="B", unit_scale=True, unit_divisor=1024,
                desc=target.name, disable=not progress, leave=False) as bar:
            try:
                for block in iter(lambda: response.read(CHUNK), b""):
                    handle.write(block)
                    received += len(block)
                    bar.update(len(block))
            except (OSError, HTTPException) as error:
                raise DownloadError(
                    f"transfer of {url} broke after {received} bytes ({error}); the partial "
                    f"file {part} is kept: call download() again to resume.") from None
    if total is not None and received < total:
        raise DownloadError(
            f"transfer of {url} was truncated: got {received} of {total} bytes; the partial "
            f"file {part} is kept: call download() again to resume.")
    if expected is not None:
        actual = sha256_of(part)
        if actual != expected:
            part.unlink()
            raise DownloadError(
                f"checksum mismatch for {url}: expected sha256 {expected}, got {actual}. The "
                f"download was deleted; check the URL/hash, then try again.")
    os.replace(part, target)


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
    """Unpack a tar/zip archive into ``folder`` safely and atomically (see module docstring)."""
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
