"""Download the GroupLens MovieLens sets (ml-100k, ml-1m, ml-latest-small) with pooch (no Qt).

:func:`fetch_movielens` reads the MD5 checksum GroupLens publishes beside each zip (``{name}.zip.md5``),
downloads the zip with :func:`pooch.retrieve` (which writes to a temporary file and keeps it only when the
checksum matches), unpacks it with :class:`pooch.Unzip` into a private folder and moves the result into
place only when the ratings file is there, so a failure at any step leaves no half-written files. It
returns the path of the ratings file to open (``u.data``, ``ratings.dat`` or ``ratings.csv``). A set already
unpacked is not downloaded again (and needs no network).

Every failure raises :class:`FetchError` (a :class:`RatingsError`: the command line exits with status 2)
whose message says what failed and how to place the files by hand.

The server is :data:`BASE_URL`, or ``$AEGUI_MOVIELENS_URL``, or the ``base_url`` argument (tests point it
at a local server).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shlex
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from .errors import RatingsError

#: where GroupLens publishes the zips (``{BASE_URL}/{name}.zip`` and ``{name}.zip.md5``)
BASE_URL = "https://files.grouplens.org/datasets/movielens"
#: overrides :data:`BASE_URL` when set
URL_ENV = "AEGUI_MOVIELENS_URL"
#: seconds to wait for the server to connect or to send the next bytes
TIMEOUT_S = 20
#: bytes read between two progress updates
CHUNK_BYTES = 64 * 1024

_CITATION = ("F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. "
             "ACM Transactions on Interactive Intelligent Systems (TiiS) 5, 4: 19:1–19:19. "
             "https://doi.org/10.1145/2827872")
_TERMS = ("MovieLens data sets are provided by GroupLens Research (University of Minnesota) for research use. "
          "Summary of the terms (the README inside the zip is the licence): no commercial or revenue-bearing use "
          "without permission from GroupLens; no endorsement by the University of Minnesota or GroupLens may be "
          "stated or implied; publications using the data must acknowledge it by citing: " + _CITATION + ". ")
_NO_REDISTRIBUTION = "You may not redistribute the data without separate permission."
_REDISTRIBUTION = ("You may redistribute it, transformations included, only under these same licence conditions.")


@dataclass(frozen=True)
class MovieLensSet:
    name: str
    title: str
    ratings_file: str   # inside the zip's top folder, which is named after the set
    size: str           # of the zip, roughly
    summary: str
    licence: str


MOVIELENS_SETS: dict[str, MovieLensSet] = {s.name: s for s in (
    MovieLensSet("ml-100k", "MovieLens 100K", "u.data", "5 MB",
                 "100,000 ratings (1–5) by 943 users of 1,682 movies, 1998", _TERMS + _NO_REDISTRIBUTION),
    MovieLensSet("ml-1m", "MovieLens 1M", "ratings.dat", "6 MB",
                 "1,000,209 ratings (1–5) by 6,040 users of 3,706 movies, 2003", _TERMS + _NO_REDISTRIBUTION),
    MovieLensSet("ml-latest-small", "MovieLens latest (small)", "ratings.csv", "1 MB",
                 "about 100,000 ratings (0.5–5, half stars) by 610 users of 9,700 movies, updated by GroupLens",
                 _TERMS + _REDISTRIBUTION),
)}


class FetchError(RatingsError):
    """A download that failed; the message says why and how to place the files by hand."""


class FetchCancelled(FetchError):
    """The caller cancelled the download (through :class:`Progress`); nothing was left behind."""


class Progress:
    """A progress object for pooch's ``progressbar=`` argument (pooch sets ``total`` and calls
    ``update(n)``, then at the end ``reset()``, ``update(total)`` and ``close()``).

    ``on_change(done, total)`` is called on every change (``total`` is 0 when the server did not say).
    Setting :attr:`cancel` (a :class:`threading.Event`) makes the next update raise :class:`FetchCancelled`.
    """

    def __init__(self, on_change: Callable[[int, int], None] | None = None,
                 cancel: threading.Event | None = None):
        self.on_change = on_change
        self.cancel = cancel if cancel is not None else threading.Event()
        self.total = 0
        self.n = 0

    def check(self) -> None:
        if self.cancel.is_set():
            raise FetchCancelled("download cancelled")

    def update(self, n: int) -> None:
        self.check()
        self.n += int(n)
        if self.total:
            self.n = min(self.n, self.total)  # pooch counts whole chunks
        if self.on_change is not None:
            self.on_change(self.n, self.total)

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        pass


def movielens_set(name: str) -> MovieLensSet:
    try:
        return MOVIELENS_SETS[name]
    except KeyError:
        raise FetchError(f"unknown MovieLens set {name!r} (known: {', '.join(MOVIELENS_SETS)})") from None


def base_url(url: str | None = None) -> str:
    """The server: ``url``, else ``$AEGUI_MOVIELENS_URL``, else :data:`BASE_URL`."""
    return (url or os.environ.get(URL_ENV) or BASE_URL).rstrip("/")


def default_dir() -> Path:
    """The platform's cache folder for aegui's downloads (e.g. ``~/.cache/aegui/movielens`` on Linux)."""
    import pooch

    return Path(pooch.os_cache("aegui")) / "movielens"


def ratings_path(name: str, directory: str | os.PathLike | None = None) -> Path:
    """Where the ratings file of ``name`` lies once fetched."""
    s = movielens_set(name)
    return Path(directory if directory is not None else default_dir()) / s.name / s.ratings_file


def licence_text(name: str) -> str:
    s = movielens_set(name)
    return f"{s.title} ({s.name}): {s.summary}.\n{s.licence}"


def manual_steps(name: str, directory: str | os.PathLike | None = None, url: str | None = None) -> str:
    """How to place the files by hand."""
    s = movielens_set(name)
    folder = Path(directory if directory is not None else default_dir())
    target = folder / s.name / s.ratings_file
    return (f"To place the files by hand: download {base_url(url)}/{s.name}.zip, unpack it into {folder} "
            f"(giving {target}), then open it with: aegui {shlex.quote(str(target))}")


def fetch_movielens(name: str, directory: str | os.PathLike | None = None, *, url: str | None = None,
                    progress: Progress | None = None) -> Path:
    """Download, check and unpack the MovieLens set ``name`` into ``directory`` (default :func:`default_dir`)
    and return the path of its ratings file; when it is already there, return it at once.

    Raises :class:`FetchError` (:class:`FetchCancelled` when ``progress.cancel`` was set) and leaves no
    partial files behind.
    """
    s = movielens_set(name)
    folder = Path(directory if directory is not None else default_dir()).expanduser().absolute()
    target = folder / s.name / s.ratings_file
    if target.is_file():
        return target
    server = base_url(url)
    zip_url = f"{server}/{s.name}.zip"
    progress = progress if progress is not None else Progress()
    created = []  # folders this call made, removed again on failure when left empty
    try:
        for f in (folder, *folder.parents)[::-1]:
            if not f.exists():
                created.append(f)
        folder.mkdir(parents=True, exist_ok=True)
        with _quiet_pooch():
            progress.check()
            md5 = _read_md5(zip_url + ".md5")
            progress.check()
            zip_path = _download(zip_url, md5, folder, progress)
            progress.check()
            _unpack(zip_path, s, folder)
    except FetchCancelled:
        _remove_empty(created)
        raise
    except Exception as exc:  # anything at all: explained, with the way to do it by hand
        _remove_empty(created)
        raise FetchError(f"could not fetch {s.name}: {_reason(exc, zip_url, folder)}.\n"
                         f"{manual_steps(s.name, folder, server)}") from exc
    return target


# ---------------------------------------------------------------------------------------------- steps
class _Failure(Exception):
    """A failure already worded for the user."""


def _read_md5(url: str) -> str:
    import io

    import pooch

    buffer = io.BytesIO()
    pooch.HTTPDownloader(timeout=TIMEOUT_S)(url, buffer, None)
    text = buffer.getvalue()[:4096].decode("ascii", "replace")
    found = re.findall(r"\b[0-9a-fA-F]{32}\b", text)
    if len(set(h.lower() for h in found)) != 1:
        raise _Failure(f"the checksum file {url} does not hold one MD5 checksum (it reads {text[:80]!r})")
    return found[0].lower()


def _download(url: str, md5: str, folder: Path, progress: Progress) -> Path:
    """The zip, checked against ``md5`` (pooch keeps a file whose checksum matches, and downloads only
    then: the temporary file of a failed download is removed)."""
    import pooch

    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT_S, chunk_size=CHUNK_BYTES)
    name = url.rsplit("/", 1)[1]
    return Path(pooch.retrieve(url, known_hash=f"md5:{md5}", fname=name, path=folder, downloader=downloader))


def _unpack(zip_path: Path, s: MovieLensSet, folder: Path) -> None:
    """Unzip into a private folder next to the target and move the set's folder into place only when the
    ratings file is in it; on failure the private folder and the zip go."""
    import pooch

    staging = Path(tempfile.mkdtemp(prefix=f".{s.name}-", suffix=".partial", dir=folder))
    try:
        pooch.Unzip(extract_dir=str(staging))(str(zip_path), "download", None)
        found = staging / s.name / s.ratings_file
        if not found.is_file():
            matches = sorted(staging.rglob(s.ratings_file))
            if not matches:
                raise _Failure(f"the archive {zip_path.name} holds no {s.ratings_file}")
            found = matches[0]
        _move_into_place(found.parent, folder / s.name, s.ratings_file)
    except BaseException:
        with contextlib.suppress(OSError):
            zip_path.unlink()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(source: Path, target: Path, ratings_file: str) -> None:
    if not target.exists():
        os.replace(source, target)  # one rename: the folder appears whole
        return
    # a folder of that name is there already (an earlier attempt by hand?): add the files, the
    # ratings file last, since its presence means "fetched"
    files = sorted((p for p in source.rglob("*") if p.is_file()), key=lambda p: p == source / ratings_file)
    for p in files:
        dest = target / p.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(p, dest)


def _remove_empty(folders: list[Path]) -> None:
    for f in reversed(folders):
        with contextlib.suppress(OSError):
            f.rmdir()


@contextlib.contextmanager
def _quiet_pooch():
    """pooch logs every download and unzip at INFO on stderr; aegui reports progress itself."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _reason(exc: BaseException, url: str, folder: Path) -> str:
    """What went wrong, in a sentence."""
    import requests

    host = urlsplit(url).netloc or url
    if isinstance(exc, _Failure):
        return str(exc)
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        r = exc.response
        return f"the server answered {r.status_code} {r.reason or ''}".rstrip() + f" for {r.url}"
    if isinstance(exc, requests.Timeout):
        return f"{host} did not answer within {TIMEOUT_S} s"
    if isinstance(exc, requests.ConnectionError):
        detail = re.search(r"\[Errno -?\d+\][^'\")]*", str(exc))
        return (f"cannot connect to {host}, offline or the server is down"
                + (f" ({detail.group(0).strip()})" if detail else ""))
    if isinstance(exc, requests.RequestException):
        return f"the download from {host} failed ({exc})"
    if isinstance(exc, zipfile.BadZipFile):
        return f"the downloaded file is not a valid zip archive ({exc})"
    if isinstance(exc, ValueError) and "hash" in str(exc).lower():
        got = re.search(r"but got ([0-9a-f]{32})", str(exc))
        return ("the MD5 checksum of the download does not match the one GroupLens publishes"
                + (f" (got {got.group(1)})" if got else "") + ": the file was damaged or changed on the way")
    if isinstance(exc, OSError):
        where = exc.filename or folder
        return f"cannot write {where}: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"
