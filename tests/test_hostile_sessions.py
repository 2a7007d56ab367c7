"""Hostile session files, built here (no committed binaries): each is refused with a SessionError that
names the file and what is wrong, before anything large is allocated, and never with a traceback."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from aegui.cli import main
from aegui.core.data.demo import synthetic
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.session import Session, SessionError, load_session, save_session, session_from_trainer


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    from aegui.core.engine.trainer import Trainer

    t = Trainer(synthetic(12, 8, n_ratings=60, seed=1), ModelSpec(hidden=(3,)), TrainSpec(epochs=2))
    t.run()
    path = tmp_path_factory.mktemp("good") / "good.aegui"
    save_session(path, session_from_trainer(t))
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write(path, members, compression=zipfile.ZIP_DEFLATED):
    import warnings

    with zipfile.ZipFile(path, "w", compression) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")   # zipfile warns about a duplicate name: that is the point
        for name, blob in members:
            z.writestr(name, blob)
    return path


def with_json(good, change):
    doc = json.loads(good["session.json"])
    change(doc)
    return [(n, json.dumps(doc).encode() if n == "session.json" else b) for n, b in good.items()]


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


CASES = {
    "progress phase out of range": (lambda g: with_json(g, lambda d: d["progress"].update(phase=7)), "progress.phase"),
    "progress as a list": (lambda g: with_json(g, lambda d: d.update(progress=[1, 2])), "progress must be an object"),
    "steps of 1e308": (lambda g: with_json(g, lambda d: d["progress"].update(steps=1e308)), "progress.steps"),
    "unknown state": (lambda g: with_json(g, lambda d: d["progress"].update(state="exploded")), "progress.state"),
    "data as a list": (lambda g: with_json(g, lambda d: d.update(data=[1])), "data must be an object"),
    "model as a string": (lambda g: with_json(g, lambda d: d.update(model="basic")), "model must be an object"),
    "history of text": (lambda g: with_json(g, lambda d: d["history"].update(epoch_train_rmse=["x"])), "history"),
    "deep JSON": (lambda g: [(n, (b"[" * 5000 + b"]" * 5000) if n == "session.json" else b) for n, b in g.items()],
                  "nested deeper"),
    "npz stored as npy": (lambda g: [(n, _npz() if n == "ratings/values.npy" else b) for n, b in g.items()],
                          "not a plain array"),
    "header declaring 4 TiB": (lambda g: [(n, _huge_header() if n == "ratings/values.npy" else b)
                                          for n, b in g.items()], "declares"),
    "weights beyond float32": (lambda g: [(n, npy(np.full(np.load(io.BytesIO(b)).shape, 1e308))
                                           if n == "weights/layers.0.weight.npy" else b) for n, b in g.items()],
                               "too large for float32"),
    "weights of the wrong shape": (lambda g: [(n, npy(np.zeros((2, 2), np.float32))
                                               if n == "weights/layers.0.weight.npy" else b) for n, b in g.items()],
                                   "do not fit"),
    "an unexpected weight": (lambda g: [*g.items(), ("weights/layers.9.weight.npy", npy(np.zeros(2, np.float32)))],
                             "does not have"),
    "a duplicate member": (lambda g: [*g.items(), ("session.json", g["session.json"])], "more than once"),
    "a network too large to train": (lambda g: with_json(g, lambda d: d["model"].update(hidden=[20000] * 40)),
                                     "more than the"),
}


def _npz():
    buf = io.BytesIO()
    np.savez(buf, a=np.zeros(3))
    return buf.getvalue()


def _huge_header():
    header = npy(np.zeros(4, np.float32))
    return header.replace(b"(4,)", b"(1099511627776,)")


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_sessions_are_refused_with_a_message(tmp_path, good, case):
    build, needle = CASES[case]
    path = write(tmp_path / "bad.aegui", build(good))
    with pytest.raises(SessionError, match=needle) as info:
        load_session(path)
    assert str(path) in str(info.value)


def test_corrupt_members_are_refused(tmp_path, good):
    path = write(tmp_path / "crc.aegui", good.items(), zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    at = raw.find(good["ratings/values.npy"][-8:])
    raw[at] ^= 0xFF                                   # a flipped byte: the CRC no longer matches
    path.write_bytes(bytes(raw))
    with pytest.raises(SessionError, match="values.npy cannot be read"):
        load_session(path)


def test_a_member_larger_than_it_declares_is_refused_without_reading_it_all(tmp_path, good, monkeypatch):
    import aegui.core.session as session

    monkeypatch.setattr(session, "MAX_MEMBER", 5000)
    big = [(n, npy(np.zeros(5000, np.float32)) if n == "ratings/values.npy" else b) for n, b in good.items()]
    with pytest.raises(SessionError, match="values.npy declares 20,128 bytes, more than the 5,000"):
        load_session(write(tmp_path / "big.aegui", big))


def test_the_cli_prints_the_message_and_exits_2(tmp_path, good, capsys):
    path = write(tmp_path / "bad.aegui", CASES["progress as a list"][0](good))
    assert main(["recommend", str(path), "--user", "1"]) == 2
    assert "progress must be an object" in capsys.readouterr().err


def test_a_good_session_still_loads(tmp_path, good):
    s = load_session(write(tmp_path / "ok.aegui", good.items()))
    assert isinstance(s, Session) and s.weights is not None and s.progress["steps"] > 0


@pytest.mark.parametrize("case", ["progress phase out of range", "progress as a list", "weights of the wrong shape",
                                  "header declaring 4 TiB"])
def test_the_window_keeps_its_document_when_a_session_is_refused(qtbot, window, messages, tmp_path, good, case):
    path = write(tmp_path / "bad.aegui", CASES[case][0](good))
    before = (window.doc.ratings, window.doc.model, window.doc.path, window.session_name, window.snapshot.sizes)
    assert not window.open_path(str(path))
    assert messages and "Could not open bad.aegui" in messages[-1] and CASES[case][1].split("(")[0] in messages[-1]
    after = (window.doc.ratings, window.doc.model, window.doc.path, window.session_name, window.snapshot.sizes)
    assert after == before


def test_values_that_used_to_crash_later_are_refused_on_load(tmp_path, good):
    groups = with_json(good, lambda d: d["data"].update(user_groups=[0, 1]))          # 12 users, 2 labels
    with pytest.raises(SessionError, match="user_groups must hold one whole number"):
        load_session(write(tmp_path / "groups.aegui", groups))
    seed = with_json(good, lambda d: d["training"].update(seed=2 ** 40))   # the window's seed box holds 31 bits
    with pytest.raises(SessionError, match="seed"):
        load_session(write(tmp_path / "seed.aegui", seed))


def test_the_cli_refuses_a_seed_the_window_could_not_show(tmp_path, capsys):
    data = tmp_path / "r.csv"
    data.write_text("user,a,b\n1,4,5\n2,3,0\n3,1,2\n")
    assert main(["train", str(data), "--epochs", "1", "--seed", str(2 ** 40)]) == 2
    assert "seed" in capsys.readouterr().err


def _json_values():
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                        st.floats(allow_subnormal=False), st.text(max_size=8))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                        max_leaves=10)


def test_any_json_field_value_loads_or_raises_a_session_error(tmp_path_factory, good):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    doc = json.loads(good["session.json"])
    paths = [(k,) for k in doc] + [(k, sub) for k in ("model", "training", "progress", "data") if isinstance(doc[k], dict)
                                   for sub in doc[k]]
    folder = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=250, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(paths), _json_values())
    def check(where, value):
        changed = json.loads(good["session.json"])
        target = changed
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value
        members = [(n, json.dumps(changed).encode() if n == "session.json" else b) for n, b in good.items()]
        path = write(folder / "f.aegui", members)
        try:
            s = load_session(path)
        except SessionError as exc:
            assert str(path) in str(exc)
        else:   # what loads is usable: the settings validate and the weights fit
            s.model.validate()
            s.training.validate()

    check()


def test_any_spec_settings_validate_or_raise_value_error():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    values = st.one_of(st.integers(-5, 10 ** 6), st.floats(allow_subnormal=False), st.text(max_size=6),
                       st.lists(st.integers(-3, 30_000), max_size=4), st.booleans(), st.none())

    @settings(max_examples=300, derandomize=True, deadline=None)
    @given(st.dictionaries(st.sampled_from(list(ModelSpec().to_dict()) + list(TrainSpec().to_dict())), values,
                           max_size=4))
    def check(fields):
        model = {k: v for k, v in fields.items() if k in ModelSpec().to_dict()}
        training = {k: v for k, v in fields.items() if k in TrainSpec().to_dict()}
        for cls, kw in ((ModelSpec, model), (TrainSpec, training)):
            try:
                cls.from_dict(kw)
            except (ValueError, TypeError):
                pass

    check()
