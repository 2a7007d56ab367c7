"""Session files: data, settings, weights and history in one safe, documented file.

A session is a ZIP archive (extension ``.aegui``) holding only JSON and ``.npy`` arrays — nothing is ever
unpickled (``numpy.load(..., allow_pickle=False)``), so opening a file from anyone is safe:

==================  ========================================================================
``session.json``    ``{"format": "aegui-session", "version": 1, "name", "model": ModelSpec,
                    "training": TrainSpec, "data": {ids, titles, source, groups}, "progress",
                    "history": {lists of numbers}}``
``ratings/*.npy``   ``users`` (int32), ``movies`` (int32), ``values`` (float32) of the training set
``test/*.npy``      the same for the held-out test set, when there is one
``weights/*.npy``   ``layers.{l}.weight`` ``(n_l, n_{l-1})`` and ``layers.{l}.bias`` ``(n_l,)``
==================  ========================================================================

Writes are atomic (a temporary file in the same folder, then ``os.replace``). Every field is validated
on load; a bad file raises :class:`SessionError` naming the file and what is wrong, and nothing half-built
escapes.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data.errors import RatingsError
from .data.ratings import Ratings
from .engine.spec import ModelSpec, TrainSpec

FORMAT = "aegui-session"
VERSION = 1
#: refuse archives whose members would unpack to more than this (a zip bomb guard)
MAX_UNPACKED = 8 << 30


class SessionError(ValueError):
    """A session file that cannot be read or written; ``str()`` names the file and the problem."""


@dataclass
class Session:
    """Everything needed to reopen a piece of work."""

    ratings: Ratings
    model: ModelSpec = field(default_factory=ModelSpec)
    training: TrainSpec = field(default_factory=TrainSpec)
    test: Ratings | None = None
    weights: dict[str, np.ndarray] | None = None
    history: dict[str, list] = field(default_factory=dict)
    progress: dict = field(default_factory=dict)
    name: str = "untitled"


def _ratings_meta(r: Ratings) -> dict:
    return {"user_ids": list(r.user_ids), "movie_ids": list(r.movie_ids), "movie_titles": list(r.movie_titles),
            "source": r.source, "group_names": list(r.group_names),
            "user_groups": None if r.user_groups is None else np.asarray(r.user_groups).tolist(),
            "movie_groups": None if r.movie_groups is None else np.asarray(r.movie_groups).tolist()}


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def _clean(value):
    """JSON has no NaN: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def save_session(path: str | os.PathLike, session: Session) -> None:
    """Write ``session`` to ``path`` atomically."""
    path = Path(path)
    doc = {"format": FORMAT, "version": VERSION, "name": session.name, "model": session.model.to_dict(),
           "training": session.training.to_dict(), "data": _ratings_meta(session.ratings),
           "has_test": session.test is not None, "progress": session.progress, "history": session.history}
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as exc:
        raise SessionError(f"{path}: cannot write here ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("session.json", json.dumps(_clean(doc), indent=1))
            for prefix, r in (("ratings", session.ratings), ("test", session.test)):
                if r is not None:
                    for name in ("users", "movies", "values"):
                        z.writestr(f"{prefix}/{name}.npy", _npy(getattr(r, name)))
            for name, array in (session.weights or {}).items():
                z.writestr(f"weights/{name}.npy", _npy(np.asarray(array, dtype=np.float32)))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _array(z: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    try:
        with z.open(name) as fh:
            return np.load(io.BytesIO(fh.read()), allow_pickle=False)
    except KeyError:
        raise SessionError(f"{path}: {name} is missing") from None
    except ValueError as exc:
        raise SessionError(f"{path}: {name} is not a plain array ({exc})") from None


def _ratings(z: zipfile.ZipFile, prefix: str, meta: dict, path: Path) -> Ratings:
    arrays = [_array(z, f"{prefix}/{n}.npy", path) for n in ("users", "movies", "values")]
    groups = {k: (None if meta.get(k) is None else np.asarray(meta[k], dtype=np.int64))
              for k in ("user_groups", "movie_groups")}
    try:
        return Ratings.from_triples(*arrays, user_ids=meta["user_ids"], movie_ids=meta["movie_ids"],
                                    movie_titles=meta["movie_titles"], source=str(meta.get("source", "session")),
                                    group_names=tuple(meta.get("group_names") or ()), **groups)
    except (RatingsError, KeyError, TypeError) as exc:
        raise SessionError(f"{path}: {prefix} data is invalid: {exc}") from None


def load_session(path: str | os.PathLike) -> Session:
    """Read and validate a session file."""
    path = Path(path)
    try:
        z = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise SessionError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise SessionError(f"{path}: not an aegui session (not a ZIP archive: {exc})") from None
    with z:
        if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
            raise SessionError(f"{path}: unpacks to more than {MAX_UNPACKED >> 30} GB; refused")
        try:
            doc = json.loads(z.read("session.json").decode("utf-8"))
        except KeyError:
            raise SessionError(f"{path}: session.json is missing") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SessionError(f"{path}: session.json is not valid JSON ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise SessionError(f"{path}: not an aegui session file")
        if doc.get("version") != VERSION:
            raise SessionError(f"{path}: session version {doc.get('version')!r} is not supported (expected {VERSION})")
        try:
            model = ModelSpec.from_dict(doc["model"])
            training = TrainSpec.from_dict(doc["training"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionError(f"{path}: settings are invalid: {exc}") from None
        meta = doc.get("data") or {}
        ratings = _ratings(z, "ratings", meta, path)
        test = _ratings(z, "test", meta, path) if doc.get("has_test") else None
        names = sorted(n[len("weights/"):-len(".npy")] for n in z.namelist()
                       if n.startswith("weights/") and n.endswith(".npy"))
        weights = {n: _array(z, f"weights/{n}.npy", path) for n in names} or None
    if weights is not None:
        for n, a in weights.items():
            if a.dtype.kind != "f" or not np.isfinite(a).all():
                raise SessionError(f"{path}: weights/{n} holds non-finite or non-numeric values")
    history = doc.get("history") or {}
    if not isinstance(history, dict):
        raise SessionError(f"{path}: history must be an object")
    history = {k: [float("nan") if v is None else v for v in vals] for k, vals in history.items()
               if isinstance(vals, list)}
    return Session(ratings, model, training, test, weights, history, doc.get("progress") or {},
                   str(doc.get("name", path.stem)))


def check_weights(session: Session) -> None:
    """Raise :class:`SessionError` unless the saved weights have the shapes the saved model needs
    (no torch needed: the window checks before it changes anything)."""
    if session.weights is None:
        return
    sizes = session.model.layer_sizes(session.model.n_inputs(session.ratings))
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        for name, shape in ((f"layers.{l}.weight", (n_out, n_in)), (f"layers.{l}.bias", (n_out,))):
            got = session.weights.get(name)
            if got is None or tuple(got.shape) != shape:
                raise SessionError(f"the saved weights do not fit the saved model: {name} should be {shape}, "
                                   f"found {None if got is None else tuple(got.shape)}")


def session_from_trainer(trainer, name: str = "untitled") -> Session:
    """Capture a :class:`~aegui.core.engine.trainer.Trainer`'s data, settings, weights and history."""
    with trainer.lock:
        weights = {k: v.cpu().numpy() for k, v in trainer.present_network().state_dict().items()}
        return Session(trainer.train_all, trainer.model, trainer.training, trainer.test, weights,
                       trainer.history_lists(), trainer.progress(), name)


def trainer_from_session(session: Session, **kwargs):
    """A trainer that continues a saved session (weights, counters and history restored)."""
    from .engine.network import Network
    from .engine.trainer import Trainer

    network = None
    if session.weights is not None:
        check_weights(session)
        network = Network(session.model.layer_sizes(session.model.n_inputs(session.ratings)),
                          session.model.layer_activations())
        network.load_state_dict(session.weights)
    trainer = Trainer(session.ratings, session.model, session.training, test=session.test, network=network,
                      **kwargs)
    if session.weights is not None:
        trainer.restore(session.progress, session.history)
    return trainer
