"""The download helper against a local HTTP server (127.0.0.1 only) whose headers each test
controls: success, cache, checksum, truncation, If-Range resume (never a splice), refusal of
unverifiable or inconsistent bodies, safe extraction."""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import io
import json
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


@dataclasses.dataclass
class Route:
    """How the test server answers one path; tests change it between calls."""

    data: bytes
    etag: str | None = None  # default: a strong ETag derived from the data
    last_modified: str | None = None
    length: bool = True  # send Content-Length
    length_delta: int = 0  # announce this many bytes more (or fewer) than sent
    chunked: bool = False  # chunked transfer encoding (then Content-Length is contradictory)
    cut: int | None = None  # close the connection after this many body bytes
    ranges: bool = True  # honour Range
    if_range: bool = True  # honour If-Range (a broken server ignores it and always sends 206)
    partial: bool = False  # answer even a plain GET with 206 and the first half
    length_header: str | None = None  # send this Content-Length verbatim

    def validator(self) -> str:
        return self.etag or f'"{hashlib.sha256(self.data).hexdigest()[:16]}"'


ROUTES: dict[str, Route] = {}


class _Handler(BaseHTTPRequestHandler):
    requests: list[tuple[str, str | None]] = []  # (path, Range header)
    seen: list[dict[str, str]] = []  # every request's headers, names in lower case

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        self.requests.append((self.path, self.headers.get("Range")))
        self.seen.append({key.lower(): value for key, value in self.headers.items()})
        route = ROUTES.get(self.path) or (Route(FILES[self.path]) if self.path in FILES else None)
        if route is None:
            self.send_error(404)
            return
        data, validator = route.data, route.validator()
        wanted, condition = self.headers.get("Range"), self.headers.get("If-Range")
        start = 0
        unchanged = condition in (None, validator, route.last_modified) or not route.if_range
        if wanted and route.ranges and unchanged:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        elif route.partial:
            data = data[: len(data) // 2]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes 0-{len(data) - 1}/{len(route.data)}")
        else:
            self.send_response(200)
        if route.etag is not None or route.last_modified is None:
            self.send_header("ETag", validator)
        if route.last_modified is not None:
            self.send_header("Last-Modified", route.last_modified)
        body = data[start:]
        if route.length_header is not None:
            self.send_header("Content-Length", route.length_header)
        elif route.length:
            self.send_header("Content-Length", str(len(body) + route.length_delta))
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        body = body if route.cut is None else body[: route.cut]
        if route.chunked:
            body = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
        self.wfile.write(body)
        self.close_connection = True


@pytest.fixture(autouse=True)
def _fresh_routes():
    ROUTES.clear()
    yield
    ROUTES.clear()


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


def _sidecar(path):
    return json.loads(path.with_name(path.name + ".part.json").read_text())


@pytest.mark.parametrize("sha256", [SHA, None], ids=["sha256", "no-sha256"])
def test_truncated_transfer_fails_then_resumes_with_if_range(server, tmp_path, sha256):
    dest, part = tmp_path / "data.bin", tmp_path / "data.bin.part"
    route = ROUTES["/data.bin"] = Route(PAYLOAD, cut=len(PAYLOAD) // 3)
    with pytest.raises(DownloadError, match="truncated.*kept: call download.. again to resume"):
        download(f"{server}/data.bin", dest, sha256=sha256, progress=False)
    assert not dest.exists() and part.stat().st_size == len(PAYLOAD) // 3
    assert _sidecar(dest) == {"url": f"{server}/data.bin", "validator": route.validator(),
                              "total": len(PAYLOAD)}
    route.cut = None
    download(f"{server}/data.bin", dest, sha256=sha256, progress=False)
    assert dest.read_bytes() == PAYLOAD  # the server sent only the tail (206): appended
    assert _Handler.requests[-1] == ("/data.bin", f"bytes={len(PAYLOAD) // 3}-")
    assert _Handler.seen[-1]["if-range"] == route.validator()
    assert list(tmp_path.iterdir()) == [dest]  # no .part, no sidecar, no temporary file


NEW_PAYLOAD = bytes(reversed(PAYLOAD))  # same length, other bytes: a splice would go unseen


@pytest.mark.parametrize("change", ["new file", "new file, If-Range ignored", "no ranges"])
def test_a_resume_never_splices_a_changed_file(server, tmp_path, change):
    dest = tmp_path / "data.bin"
    old = ROUTES["/data.bin"] = Route(PAYLOAD, cut=len(PAYLOAD) // 3)
    with pytest.raises(DownloadError, match="truncated"):
        download(f"{server}/data.bin", dest, progress=False)
    if change == "no ranges":  # same file, but the server now ignores Range: answers 200
        new = ROUTES["/data.bin"] = Route(PAYLOAD, ranges=False)
    else:  # the file changed on the server (other ETag); a broken server still sends 206
        new = ROUTES["/data.bin"] = Route(NEW_PAYLOAD, if_range=change == "new file")
    count = len(_Handler.requests)
    download(f"{server}/data.bin", dest, progress=False)
    assert dest.read_bytes() == new.data
    assert _Handler.requests[count] == ("/data.bin", f"bytes={len(PAYLOAD) // 3}-")
    assert _Handler.seen[count]["if-range"] == old.validator()
    if change == "new file, If-Range ignored":  # the 206 carried another ETag: fetched anew
        assert _Handler.requests[count + 1:] == [("/data.bin", None)]
    else:
        assert len(_Handler.requests) == count + 1
    assert list(tmp_path.iterdir()) == [dest]


@pytest.mark.parametrize("sidecar", [None, "other url", "weak etag", "garbage"])
def test_a_stale_part_without_a_matching_sidecar_is_fetched_from_zero(server, tmp_path,
                                                                      sidecar):
    dest, part = tmp_path / "data.bin", tmp_path / "data.bin.part"
    part.write_bytes(NEW_PAYLOAD[:1000])
    record = {"url": f"{server}/data.bin", "validator": Route(PAYLOAD).validator(),
              "total": len(PAYLOAD)}
    if sidecar == "other url":
        record["url"] = f"{server}/other.bin"
    elif sidecar == "weak etag":
        record["validator"] = "W/" + record["validator"]
    if sidecar is not None:
        text = "{not json" if sidecar == "garbage" else json.dumps(record)
        (tmp_path / "data.bin.part.json").write_text(text)
    download(f"{server}/data.bin", dest, progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert _Handler.requests[-1] == ("/data.bin", None) and "if-range" not in _Handler.seen[-1]
    assert list(tmp_path.iterdir()) == [dest]


def test_a_weak_etag_is_no_validator(server, tmp_path):
    dest = tmp_path / "data.bin"
    route = ROUTES["/data.bin"] = Route(PAYLOAD, etag='W/"weak"', cut=len(PAYLOAD) // 3)
    with pytest.raises(DownloadError, match="truncated.*cannot be resumed safely.*deleted"):
        download(f"{server}/data.bin", dest, progress=False)
    assert list(tmp_path.iterdir()) == []  # a part that cannot be resumed is not kept
    route.cut = None
    download(f"{server}/data.bin", dest, progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert _Handler.requests[-1] == ("/data.bin", None) and "if-range" not in _Handler.seen[-1]


@pytest.mark.parametrize("strong", [True, False], ids=["old-date", "recent-date"])
def test_last_modified_is_the_validator_only_when_strong(server, tmp_path, strong):
    dest = tmp_path / "data.bin"
    modified = "Wed, 21 Oct 2015 07:28:00 GMT" if strong else email.utils.formatdate(usegmt=True)
    route = ROUTES["/data.bin"] = Route(PAYLOAD, last_modified=modified, cut=1000)
    with pytest.raises(DownloadError, match="kept" if strong else "cannot be resumed"):
        download(f"{server}/data.bin", dest, progress=False)
    route.cut = None
    download(f"{server}/data.bin", dest, progress=False)
    assert dest.read_bytes() == PAYLOAD
    if strong:  # a date at least 60 s before the response's Date
        assert _Handler.requests[-1] == ("/data.bin", "bytes=1000-")
        assert _Handler.seen[-1]["if-range"] == modified
    else:  # modified in the same second as sent: could change again unseen
        assert _Handler.requests[-1] == ("/data.bin", None)


@pytest.mark.parametrize("cut", [None, 1000])
def test_no_length_and_no_checksum_is_refused(server, tmp_path, cut):
    dest = tmp_path / "data.bin"
    (tmp_path / "data.bin.part").write_bytes(b"stale")
    ROUTES["/data.bin"] = Route(PAYLOAD, length=False, cut=cut)
    with pytest.raises(DownloadError, match=r"gave no length .* no checksum was given.* "
                                            r"pass sha256="):
        download(f"{server}/data.bin", dest, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_no_length_with_a_matching_checksum_is_accepted(server, tmp_path):
    ROUTES["/data.bin"] = Route(PAYLOAD, length=False)
    assert download(f"{server}/data.bin", tmp_path, sha256=SHA, progress=False).read_bytes() \
        == PAYLOAD
    assert list(tmp_path.iterdir()) == [tmp_path / "data.bin"]


def test_no_length_and_a_cut_body_fails_the_checksum(server, tmp_path):
    ROUTES["/data.bin"] = Route(PAYLOAD, length=False, cut=1000)
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(f"{server}/data.bin", tmp_path, sha256=SHA, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sha256", [SHA, None], ids=["sha256", "no-sha256"])
def test_a_body_longer_than_announced_is_refused(server, tmp_path, sha256):
    # chunked framing overrides Content-Length, so the client really receives more bytes
    ROUTES["/data.bin"] = Route(PAYLOAD, chunked=True, length_delta=-100)
    with pytest.raises(DownloadError, match=f"more bytes than the {len(PAYLOAD) - 100}"):
        download(f"{server}/data.bin", tmp_path, sha256=sha256, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("route, message", [
    (Route(PAYLOAD, partial=True), "answered a request for the whole file with a part"),
    (Route(PAYLOAD, length_header="12abc"), "invalid Content-Length"),
], ids=["206-for-whole-file", "bad-content-length"])
def test_inconsistent_answers_are_refused(server, tmp_path, route, message):
    ROUTES["/data.bin"] = route
    with pytest.raises(DownloadError, match=message):
        download(f"{server}/data.bin", tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_file_urls_still_work(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(PAYLOAD)
    dest = tmp_path / "out" / "copy.bin"
    assert download(source.as_uri(), dest, progress=False).read_bytes() == PAYLOAD
    assert sorted(path.name for path in dest.parent.iterdir()) == ["copy.bin"]


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
    with pytest.raises(ValueError, match="url"):
        download("http:///data.bin", tmp_path)
    with pytest.raises(ValueError, match="timeout"):
        download(f"{server}/data.bin", tmp_path, timeout=0)
    (tmp_path / "data.bin").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        download(f"{server}/data.bin", tmp_path)
    assert _Handler.requests[-1] == ("/missing.bin", None)  # none of these reached the server
    assert [path.name for path in tmp_path.iterdir()] == ["data.bin"]


# --------------------------------------------------------------------------- size checks


def test_size_is_checked_and_a_cached_file_of_another_size_is_fetched_again(server, tmp_path):
    dest = tmp_path / "data.bin"
    assert download(f"{server}/data.bin", dest, size=len(PAYLOAD), progress=False) == dest
    dest.write_bytes(PAYLOAD[:-1])  # damaged in the cache: same name, wrong length
    download(f"{server}/data.bin", dest, size=len(PAYLOAD), progress=False)
    assert dest.read_bytes() == PAYLOAD


def test_an_announced_length_other_than_size_saves_nothing(server, tmp_path):
    with pytest.raises(DownloadError, match=f"announces {len(PAYLOAD)} bytes.*must have 5"):
        download(f"{server}/data.bin", tmp_path / "data.bin", size=5, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_body_of_another_size_without_length_is_deleted(server, tmp_path):
    ROUTES["/data.bin"] = Route(PAYLOAD, length=False)
    with pytest.raises(DownloadError, match=f"size mismatch.*expected 7 bytes, got {len(PAYLOAD)}"):
        download(f"{server}/data.bin", tmp_path / "data.bin", size=7, progress=False)
    assert list(tmp_path.iterdir()) == []
    # size alone is enough to accept a server that announces no length
    path = download(f"{server}/data.bin", tmp_path / "data.bin", size=len(PAYLOAD),
                    progress=False)
    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize("size", [-1, 1.5, True, "10"])
def test_a_bad_size_is_refused_before_any_request(tmp_path, size):
    with pytest.raises(ValueError, match="size must be None or a byte count"):
        download("http://127.0.0.1:9/x.bin", tmp_path, size=size, progress=False)
