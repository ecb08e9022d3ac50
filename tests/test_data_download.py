"""The download helper against a local HTTP server: success, cache, checksum, truncation and
resume, safe extraction."""

from __future__ import annotations

import hashlib
import io
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from streamnets.data.download import EXTRACTED_MARKER, DownloadError, download

PAYLOAD = bytes(range(256)) * 400  # 100 kB
SHA = hashlib.sha256(PAYLOAD).hexdigest()


def _tar(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


FILES = {
    "/data.bin": PAYLOAD,
    "/subset.tar.gz": _tar({"subset/jester-v1-labels.csv": b"Swiping Left\n",
                            "subset/frames/00001.jpg": b"jpeg"}),
    "/evil.tar.gz": _tar({"ok.txt": b"fine", "../evil.txt": b"escaped"}),
    "/link.tar.gz": _tar({"ok.txt": b"fine"}, links={"passwd": "/etc/passwd"}),
    "/evil.zip": _zip({"ok.txt": b"fine", "../evil.txt": b"escaped"}),
}


class _Handler(BaseHTTPRequestHandler):
    requests: list[tuple[str, str | None]] = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        self.requests.append((self.path, self.headers.get("Range")))
        truncated = self.path.startswith("/truncated")
        data = FILES.get(self.path.removeprefix("/truncated"))
        if data is None:
            self.send_error(404)
            return
        start = 0
        if self.headers.get("Range") and not truncated:
            start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        body = data[start:]
        self.wfile.write(body[: len(body) // 3] if truncated else body)
        self.close_connection = True


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_success_and_cache_hit(server, tmp_path):
    path = download(f"{server}/data.bin", tmp_path, sha256=SHA, progress=False)
    assert path == tmp_path / "data.bin" and path.read_bytes() == PAYLOAD
    assert not (tmp_path / "data.bin.part").exists()
    count = len(_Handler.requests)
    assert download(f"{server}/data.bin", path, sha256=SHA.upper(), progress=False) == path
    assert download(f"{server}/data.bin", path, progress=False) == path
    assert len(_Handler.requests) == count  # served from the cache, no request


def test_a_cached_file_with_the_wrong_hash_is_fetched_again(server, tmp_path):
    stale = tmp_path / "data.bin"
    stale.write_bytes(b"stale")
    download(f"{server}/data.bin", stale, sha256=SHA, progress=False)
    assert stale.read_bytes() == PAYLOAD


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    with pytest.raises(DownloadError, match="checksum mismatch.*expected sha256 0{64}"):
        download(f"{server}/data.bin", tmp_path / "data.bin", sha256="0" * 64, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_truncated_transfer_fails_then_resumes(server, tmp_path):
    dest = tmp_path / "data.bin"
    with pytest.raises(DownloadError, match="truncated"):
        download(f"{server}/truncated/data.bin", dest, sha256=SHA, progress=False)
    part = tmp_path / "data.bin.part"
    assert not dest.exists() and 0 < part.stat().st_size < len(PAYLOAD)
    download(f"{server}/data.bin", dest, sha256=SHA, progress=False)
    assert dest.read_bytes() == PAYLOAD and not part.exists()
    assert _Handler.requests[-1] == ("/data.bin", f"bytes={len(PAYLOAD) // 3}-")


def test_extraction_is_complete_and_cached(server, tmp_path):
    folder = download(f"{server}/subset.tar.gz", tmp_path, extract=True, progress=False)
    assert folder == tmp_path / "subset"
    assert (folder / "subset" / "jester-v1-labels.csv").read_text() == "Swiping Left\n"
    assert (folder / EXTRACTED_MARKER).is_file()
    count = len(_Handler.requests)
    assert download(f"{server}/subset.tar.gz", tmp_path, extract=True, progress=False) == folder
    assert len(_Handler.requests) == count


@pytest.mark.parametrize("name", ["evil.tar.gz", "link.tar.gz", "evil.zip"])
def test_unsafe_archives_are_refused_and_nothing_is_extracted(server, tmp_path, name):
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(DownloadError, match="refusing to extract"):
        download(f"{server}/{name}", work, extract=True, progress=False)
    assert not (tmp_path / "evil.txt").exists()
    assert sorted(path.name for path in work.iterdir()) == [name]  # only the archive itself


def test_http_errors_and_bad_arguments(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(f"{server}/missing.bin", tmp_path, progress=False)
    with pytest.raises(ValueError, match="sha256"):
        download(f"{server}/data.bin", tmp_path, sha256="abc")
    with pytest.raises(ValueError, match="url"):
        download("ftp://example.org/x.bin", tmp_path)
    with pytest.raises(ValueError, match="archive"):
        download(f"{server}/data.bin", tmp_path, extract=True)
    assert list(tmp_path.iterdir()) == []
