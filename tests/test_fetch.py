"""`aegui fetch` and File ▸ Download MovieLens…, against a local HTTP server (no test reaches the internet)."""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import zipfile

import pytest

from aegui.core.data.fetch import (URL_ENV, FetchCancelled, FetchError, Progress, fetch_movielens, licence_text,
                                   ratings_path)
from aegui.core.data.readers import load_ratings

NAME = "ml-latest-small"
RATINGS = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,3.5,964981247\n2,1,5.0,964982224\n"
MOVIES = "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n3,Grumpier Old Men (1995),Comedy\n"


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buffer.getvalue()


GOOD_ZIP = make_zip({f"{NAME}/ratings.csv": RATINGS, f"{NAME}/movies.csv": MOVIES,
                     f"{NAME}/README.txt": "test data\n"})


def md5_file(data: bytes, name: str = NAME) -> bytes:
    return f"MD5 ({name}.zip) = {hashlib.md5(data).hexdigest()}\n".encode()


class Server:
    """Serves ``files`` (URL path → bytes) on 127.0.0.1; records the paths asked for. A path in ``hold``
    sends its headers, then waits for ``release`` before the body."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.hold: set[str] = set()
        self.release = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path in server.hold:
                    self.wfile.flush()
                    server.release.wait(10)
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/movielens"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    def serve(self, zip_bytes: bytes = GOOD_ZIP, md5: bytes | None = None, name: str = NAME) -> None:
        self.files[f"/movielens/{name}.zip"] = zip_bytes
        self.files[f"/movielens/{name}.zip.md5"] = md5_file(zip_bytes, name) if md5 is None else md5

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def dead_url():
    """A URL on a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/movielens"


def leftovers(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# ---------------------------------------------------------------------------------------------- core
def test_fetch_downloads_checks_unpacks_and_loads(server, tmp_path):
    server.serve()
    seen = []
    path = fetch_movielens(NAME, tmp_path / "data", url=server.url, progress=Progress(lambda d, t: seen.append((d, t))))
    assert path == tmp_path / "data" / NAME / "ratings.csv" == ratings_path(NAME, tmp_path / "data")
    assert server.requests == [f"/movielens/{NAME}.zip.md5", f"/movielens/{NAME}.zip"]
    assert seen and seen[-1] == (len(GOOD_ZIP), len(GOOD_ZIP))
    ratings = load_ratings(path)
    assert (ratings.n_users, ratings.n_movies, ratings.n_ratings) == (2, 2, 3)
    assert "Toy Story (1995)" in ratings.movie_titles
    # the checked zip stays beside the unpacked folder; no temporary files remain
    assert leftovers(tmp_path / "data") == [NAME, f"{NAME}.zip", f"{NAME}/README.txt", f"{NAME}/movies.csv",
                                            f"{NAME}/ratings.csv"]


def test_second_fetch_does_not_download_again(server, tmp_path):
    server.serve()
    first = fetch_movielens(NAME, tmp_path, url=server.url)
    assert len(server.requests) == 2
    assert fetch_movielens(NAME, tmp_path, url=server.url) == first
    assert len(server.requests) == 2


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    server.serve(md5=md5_file(b"something else"))
    target = tmp_path / "data"
    with pytest.raises(FetchError) as info:
        fetch_movielens(NAME, target, url=server.url)
    message = str(info.value)
    assert "MD5 checksum" in message and "does not match" in message
    assert f"{server.url}/{NAME}.zip" in message and "by hand" in message
    assert leftovers(tmp_path) == []  # no zip, no temporary file, no unpacked folder, not even the folder


def test_server_down_explains_how_to_do_it_by_hand(dead_url, tmp_path):
    with pytest.raises(FetchError) as info:
        fetch_movielens(NAME, tmp_path / "data", url=dead_url)
    message = str(info.value)
    assert message.startswith(f"could not fetch {NAME}: cannot connect to 127.0.0.1")
    assert f"download {dead_url}/{NAME}.zip, unpack it into {tmp_path / 'data'}" in message
    assert f"aegui {tmp_path / 'data' / NAME / 'ratings.csv'}" in message
    assert leftovers(tmp_path) == []


def test_http_error_is_named(server, tmp_path):
    with pytest.raises(FetchError, match=r"(?s)the server answered 404 Not Found for .*\.zip\.md5.*by hand"):
        fetch_movielens(NAME, tmp_path, url=server.url)


def test_bad_zip_and_missing_ratings_file_leave_nothing(server, tmp_path):
    server.serve(b"not a zip at all")
    with pytest.raises(FetchError, match="not a valid zip archive"):
        fetch_movielens(NAME, tmp_path / "a", url=server.url)
    server.serve(make_zip({f"{NAME}/movies.csv": MOVIES}))
    with pytest.raises(FetchError, match="holds no ratings.csv"):
        fetch_movielens(NAME, tmp_path / "b", url=server.url)
    assert leftovers(tmp_path) == []


def test_bad_checksum_file(server, tmp_path):
    server.serve(md5=b"<html>moved</html>")
    with pytest.raises(FetchError, match="does not hold one MD5 checksum"):
        fetch_movielens(NAME, tmp_path, url=server.url)
    assert server.requests == [f"/movielens/{NAME}.zip.md5"]


def test_completes_a_folder_placed_by_hand(server, tmp_path):
    server.serve()
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "notes.txt").write_text("mine")
    path = fetch_movielens(NAME, tmp_path, url=server.url)
    assert path.read_text() == RATINGS and (tmp_path / NAME / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cancelled_before_start_touches_nothing(server, tmp_path):
    server.serve()
    progress = Progress()
    progress.cancel.set()
    with pytest.raises(FetchCancelled):
        fetch_movielens(NAME, tmp_path / "data", url=server.url, progress=progress)
    assert server.requests == [] and leftovers(tmp_path) == []


def test_base_url_from_the_environment(server, tmp_path, monkeypatch):
    server.serve()
    monkeypatch.setenv(URL_ENV, server.url + "/")
    assert fetch_movielens(NAME, tmp_path).is_file()
    assert server.requests[0] == f"/movielens/{NAME}.zip.md5"


def test_licences():
    assert "redistribute" in licence_text(NAME) and "same licence" in licence_text(NAME)
    for name in ("ml-100k", "ml-1m"):
        text = licence_text(name)
        assert "Harper" in text and "commercial" in text and "not redistribute" in text
    with pytest.raises(FetchError, match="unknown MovieLens set"):
        licence_text("ml-25m")


# ---------------------------------------------------------------------------------------------- command line
def test_cli_fetch(server, tmp_path, monkeypatch, capsys):
    from aegui.cli import main

    server.serve()
    monkeypatch.setenv(URL_ENV, server.url)
    assert main(["fetch", NAME, "--dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{tmp_path / NAME / 'ratings.csv'}\n"
    assert "Harper" in err and "#" in err  # the licence, then the progress bar


def test_cli_fetch_failure_exits_2(dead_url, tmp_path, monkeypatch, capsys):
    from aegui.cli import main

    monkeypatch.setenv(URL_ENV, dead_url)
    assert main(["fetch", NAME, "--dir", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"aegui: error: could not fetch {NAME}: cannot connect" in err and "by hand" in err


# ---------------------------------------------------------------------------------------------- the window
def test_dialog_downloads_on_a_thread(qtbot, server, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    from aegui.qt.download_dialog import DownloadDialog

    server.serve()
    dialog = DownloadDialog(directory=tmp_path, url=server.url)
    qtbot.addWidget(dialog)
    dialog.combo.setCurrentIndex(dialog.combo.findData(NAME))
    assert "redistribute" in dialog.licence.text()
    dialog.show()
    with qtbot.waitSignal(dialog.downloaded, timeout=5000) as blocker:
        qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [str(tmp_path / NAME / "ratings.csv")]
    assert dialog.path == blocker.args[0] and dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.running


def test_dialog_shows_failure_then_cancel_stops_a_download(qtbot, server, dead_url, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    from aegui.qt.download_dialog import DownloadDialog

    dialog = DownloadDialog(directory=tmp_path, url=dead_url)
    qtbot.addWidget(dialog)
    dialog.combo.setCurrentIndex(dialog.combo.findData(NAME))
    dialog.show()
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    assert "cannot connect" in dialog.status.text() and "by hand" in dialog.status.text()
    assert dialog.isVisible() and dialog.download_button.isEnabled()

    # now a server that stalls before the zip's body: Cancel stops it and closes the dialog, leaving nothing
    server.serve()
    server.hold.add(f"/movielens/{NAME}.zip")
    dialog.url = server.url
    downloaded = []
    dialog.downloaded.connect(downloaded.append)
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: f"/movielens/{NAME}.zip" in server.requests, timeout=5000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.status.text() == "Cancelling…"
    server.release.set()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.result() == QDialog.DialogCode.Rejected and downloaded == [] and dialog.path is None
    assert leftovers(tmp_path) == []
