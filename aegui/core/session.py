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

Writes are atomic (:mod:`aegui.core.safe_write`: a temporary file in the same folder, then a rename, never
over anything but a regular file). Every field is validated
on load; a bad file raises :class:`SessionError` naming the file and what is wrong, and nothing half-built
escapes.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data.errors import RatingsError
from .data.ratings import Ratings
from .engine.protocol import State
from .engine.spec import ModelSpec, TrainSpec
from .safe_write import WriteError, atomic_write

FORMAT = "aegui-session"
VERSION = 1
#: refuse archives whose members would unpack to more than this (a zip bomb guard), and any one member
#: larger than :data:`MAX_MEMBER` (ML-10M's ratings are 120 MB; the largest network allowed,
#: :data:`~aegui.core.engine.spec.MAX_PARAMETERS` float32 values, 1.2 GB); sizes are checked as declared
#: and again as read, so memory stays bounded by what the file really holds
MAX_UNPACKED = 2 << 30
MAX_MEMBER = 1280 << 20
#: deepest nesting accepted in session.json (its real depth is 3)
MAX_JSON_DEPTH = 32
#: progress fields and their ranges
_PROGRESS_STATES = (State.READY, State.PAUSED, State.FINISHED)


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
    """Write ``session`` to ``path`` atomically (:func:`~aegui.core.safe_write.atomic_write`: never over
    anything but a regular file, its permissions kept)."""
    path = Path(path)
    doc = {"format": FORMAT, "version": VERSION, "name": session.name, "model": session.model.to_dict(),
           "training": session.training.to_dict(), "data": _ratings_meta(session.ratings),
           "has_test": session.test is not None, "progress": session.progress, "history": session.history}

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("session.json", json.dumps(_clean(doc), indent=1))
            for prefix, r in (("ratings", session.ratings), ("test", session.test)):
                if r is not None:
                    for name in ("users", "movies", "values"):
                        z.writestr(f"{prefix}/{name}.npy", _npy(getattr(r, name)))
            for name, array in (session.weights or {}).items():
                z.writestr(f"weights/{name}.npy", _npy(np.asarray(array, dtype=np.float32)))

    try:
        atomic_write(path, write)
    except WriteError as exc:
        raise SessionError(str(exc)) from None


def _member(z: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """A member's bytes, read in chunks up to its declared size (never more than :data:`MAX_MEMBER`);
    a corrupt, encrypted or oddly compressed member is a :class:`SessionError` naming it."""
    try:
        info = z.getinfo(name)
    except KeyError:
        raise SessionError(f"{path}: {name} is missing") from None
    if info.file_size > MAX_MEMBER:
        raise SessionError(f"{path}: {name} declares {info.file_size:,} bytes, more than the "
                           f"{MAX_MEMBER:,} a session member may hold")
    try:
        with z.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, zlib.error) as exc:
        raise SessionError(f"{path}: {name} cannot be read ({exc})") from None
    if len(data) != info.file_size:
        raise SessionError(f"{path}: {name} holds {len(data):,} bytes but declares {info.file_size:,}")
    return data


def _array(z: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    """A plain numeric ``.npy`` array; its header (dtype, shape) is checked against the bytes that
    follow it before anything is allocated."""
    data = _member(z, name, path)
    buf = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buf)
        reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        if version not in reader:
            raise ValueError(f".npy format version {version} is not supported")
        shape, fortran, dtype = reader[version](buf)
    except (ValueError, SyntaxError, TypeError) as exc:
        raise SessionError(f"{path}: {name} is not a plain array ({exc})") from None
    if dtype.kind not in "biuf" or dtype.hasobject:
        raise SessionError(f"{path}: {name} is not a plain array (dtype {dtype})")
    count = math.prod(shape)
    if count * dtype.itemsize != len(data) - buf.tell():
        raise SessionError(f"{path}: {name} declares {shape} {dtype} but holds {len(data) - buf.tell():,} bytes")
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        raise SessionError(f"{path}: {name} is not a plain array ({exc})") from None


def _depth(value, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of a JSON text's brackets, counted without parsing (so a hostile file cannot
    exhaust the parser's recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in value:
        if in_string:
            escaped = ch == "\\" and not escaped
            if ch == '"' and not escaped:
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _progress(value, model: ModelSpec, path: Path) -> dict:
    """The saved ``progress``, checked against the model it belongs to."""
    if not isinstance(value, dict):
        raise SessionError(f"{path}: progress must be an object, not {type(value).__name__}")
    phases = 1 + (len(model.hidden) if model.kind in ("stacked", "deep") and model.pretrain_epochs > 0 else 0)
    out = {}
    for key, high in (("phase", phases - 1), ("epoch", 10 ** 9), ("steps", 2 ** 53)):
        v = value.get(key, 0)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= high:
            raise SessionError(f"{path}: progress.{key} = {v!r} is not a whole number in [0, {high}]")
        out[key] = v
    elapsed = value.get("elapsed_s", 0.0)
    if isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)) or not 0 <= elapsed < 1e9:
        raise SessionError(f"{path}: progress.elapsed_s = {elapsed!r} is not a number of seconds")
    out["elapsed_s"] = float(elapsed)
    state = value.get("state", State.READY)
    if state not in _PROGRESS_STATES:
        raise SessionError(f"{path}: progress.state = {state!r} is not one of {', '.join(_PROGRESS_STATES)}")
    out["state"] = state
    return out


def _history(value, path: Path) -> dict[str, list]:
    """The saved curves: lists of finite numbers (``null`` for a missing value)."""
    if not isinstance(value, dict):
        raise SessionError(f"{path}: history must be an object")
    out = {}
    for key, values in value.items():
        if not isinstance(values, list):
            raise SessionError(f"{path}: history.{key} must be a list")
        for k, v in enumerate(values):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
                                  or abs(v) > 1e12):
                raise SessionError(f"{path}: history.{key}[{k}] = {v!r} is not a number")
        out[key] = [float("nan") if v is None else v for v in values]
    stride = out.get("step_stride", [1])
    if len(stride) != 1 or stride[0] != int(stride[0]) or not 1 <= stride[0] <= 2 ** 40:
        raise SessionError(f"{path}: history.step_stride must be one whole number ≥ 1")
    return out


def _ratings(z: zipfile.ZipFile, prefix: str, meta: dict, path: Path) -> Ratings:
    arrays = [_array(z, f"{prefix}/{n}.npy", path) for n in ("users", "movies", "values")]
    groups = {}
    for key in ("user_groups", "movie_groups"):
        value = meta.get(key)
        if value is not None and (not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2 ** 31 for v in value)):
            raise SessionError(f"{path}: data.{key} must be a list of whole numbers ≥ 0")
        groups[key] = None if value is None else np.asarray(value, dtype=np.int64)
    for key in ("user_ids", "movie_ids", "movie_titles", "group_names"):
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)):
            raise SessionError(f"{path}: data.{key} must be a list of names")
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
        names = z.namelist()
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise SessionError(f"{path}: {twice[0]} is in the archive more than once")
        if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
            raise SessionError(f"{path}: unpacks to more than {MAX_UNPACKED >> 30} GB; refused")
        try:
            text = _member(z, "session.json", path).decode("utf-8")
            if _depth(text) > MAX_JSON_DEPTH:
                raise SessionError(f"{path}: session.json is nested deeper than {MAX_JSON_DEPTH} levels")
            doc = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SessionError(f"{path}: session.json is not valid JSON ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise SessionError(f"{path}: not an aegui session file")
        if doc.get("version") != VERSION:
            raise SessionError(f"{path}: session version {doc.get('version')!r} is not supported (expected {VERSION})")
        for key in ("model", "training"):
            if not isinstance(doc.get(key), dict):
                raise SessionError(f"{path}: {key} must be an object, not {type(doc.get(key)).__name__}")
        try:
            model = ModelSpec.from_dict(doc["model"])
            training = TrainSpec.from_dict(doc["training"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionError(f"{path}: settings are invalid: {exc}") from None
        meta = doc.get("data") or {}
        if not isinstance(meta, dict):
            raise SessionError(f"{path}: data must be an object, not {type(meta).__name__}")
        progress = _progress(doc.get("progress") or {}, model, path)
        history = _history(doc.get("history") or {}, path)
        ratings = _ratings(z, "ratings", meta, path)
        test = _ratings(z, "test", meta, path) if doc.get("has_test") else None
        names = sorted(n[len("weights/"):-len(".npy")] for n in z.namelist()
                       if n.startswith("weights/") and n.endswith(".npy"))
        weights = {n: _array(z, f"weights/{n}.npy", path) for n in names} or None
    if weights is not None:
        for n, a in weights.items():
            with np.errstate(over="ignore"):
                ok = a.dtype.kind == "f" and np.isfinite(a).all() and np.isfinite(a.astype(np.float32)).all()
            if not ok:
                raise SessionError(f"{path}: weights/{n} holds non-finite or non-numeric values (or values "
                                   "too large for float32)")
    session = Session(ratings, model, training, test, weights, history, progress, str(doc.get("name", path.stem)))
    try:
        check_weights(session)
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
    return session


def check_weights(session: Session) -> None:
    """Raise :class:`SessionError` unless the saved weights have the shapes the saved model needs
    (no torch needed: the window checks before it changes anything)."""
    if session.weights is None:
        return
    n_inputs = session.model.n_inputs(session.ratings)
    try:
        session.model.check_size(n_inputs)
    except ValueError as exc:
        raise SessionError(str(exc)) from None
    sizes = session.model.layer_sizes(n_inputs)
    expected = {f"layers.{l}.{kind}" for l in range(len(sizes) - 1) for kind in ("weight", "bias")}
    unexpected = sorted(set(session.weights) - expected)
    if unexpected:
        raise SessionError(f"the saved weights hold {unexpected[0]}, which the saved model does not have")
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
