"""The headless command line and session files, run as a user would (in-process ``main`` and one real
subprocess)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch

from aegui.cli import main
from aegui.core.data.demo import synthetic
from aegui.core.data.readers import write_movielens
from aegui.core.session import Session, SessionError, load_session, save_session, session_from_trainer, trainer_from_session
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer


@pytest.fixture
def udata(tmp_path):
    path = tmp_path / "u.data"
    write_movielens(synthetic(60, 40, n_ratings=900, seed=3), path, "ml-100k")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_prints_one_json_line(capsys, udata):
    code, out, _ = run(capsys, "inspect", str(udata))
    assert code == 0
    summary = json.loads(out)
    assert summary["format"] == "ml-100k"
    assert (summary["users"], summary["movies"], summary["ratings"]) == (60, 40, 900)
    assert summary["rating_min"] >= 1 and summary["rating_max"] <= 5


def test_inspect_reports_file_line_column_and_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.data"
    bad.write_text("1\t1\t4\t0\n2\t3\tseven\t0\n")
    code, out, err = run(capsys, "inspect", str(bad))
    assert code == 2 and out == ""
    assert f"{bad}:2:3" in err and "Traceback" not in err


def test_train_json_and_recommend(capsys, udata, tmp_path):
    session = tmp_path / "s.aegui"
    code, out, err = run(capsys, "train", str(udata), "--test-fraction", "0.2", "--hidden", "8,4", "--epochs", "15",
                         "--seed", "1", "--save", str(session), "--json")
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    for key in ("type", "users", "movies", "ratings", "epochs", "seconds", "train_rmse", "test_rmse"):
        assert key in result
    assert result["type"] == "basic" and 0 < result["epochs"] <= 15
    assert 0.5 < result["test_rmse"] < 1.3 and result["ratings"] + result["test_ratings"] == 900
    assert "[" in err  # the progress bar went to stderr

    loaded = load_session(session)
    user = loaded.ratings.user_ids[0]
    code, out, _ = run(capsys, "recommend", str(session), "--user", user, "--top", "5", "--json")
    assert code == 0
    recs = json.loads(out)["recommendations"]
    assert len(recs) == 5
    scores = [r["predicted"] for r in recs]
    assert scores == sorted(scores, reverse=True)
    rated = set(np.asarray(loaded.ratings.movie_ids)[loaded.ratings.movies[loaded.ratings.users == 0]])
    assert not rated & {r["movie_id"] for r in recs}  # only movies the user has not rated

    code, out, _ = run(capsys, "export", str(session), str(tmp_path / "model.pt"))
    assert code == 0 and out.split() == [str(tmp_path / "model.pt"), str(tmp_path / "model.json")]
    state = torch.load(tmp_path / "model.pt", weights_only=True)
    assert state["0.weight"].shape == (8, loaded.ratings.n_movies)  # the first Linear of an nn.Sequential


def test_train_with_a_separate_test_file(capsys, tmp_path):
    data = synthetic(50, 30, n_ratings=700, seed=4)
    rng = np.random.default_rng(0)
    held = rng.random(data.n_ratings) < 0.2
    write_movielens(data.subset(~held), tmp_path / "u1.base", "ml-100k")
    write_movielens(data.subset(held), tmp_path / "u1.test", "ml-100k")
    code, out, err = run(capsys, "train", str(tmp_path / "u1.base"), "--test", str(tmp_path / "u1.test"),
                         "--epochs", "3", "--json", "--online")
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["test_ratings"] > 0 and np.isfinite(result["test_rmse"])


@pytest.mark.parametrize("args,needle", [
    (["--hidden", "abc"], "--hidden"),
    (["--lr", "-1"], "learning rate"),
    (["--type", "sparse", "--activation", "relu"], "sigmoid"),
    (["--epochs", "-3"], "epochs"),
    (["--test-fraction", "1.5"], "fraction"),
])
def test_bad_arguments_exit_2_with_a_message(capsys, udata, args, needle):
    try:
        code = main(["train", str(udata), *args])
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_recommend_unknown_user(capsys, tmp_path):
    t = Trainer(synthetic(20, 10, n_ratings=120, seed=0), ModelSpec(hidden=(4,)), TrainSpec(epochs=1))
    t.run()
    path = tmp_path / "t.aegui"
    save_session(path, session_from_trainer(t))
    code, _, err = run(capsys, "recommend", str(path), "--user", "nobody")
    assert code == 2 and "nobody" in err


def test_recommend_min_ratings_counts_and_clipped_marks(capsys, tmp_path):
    from aegui.core.engine.snapshot import default_min_ratings

    data = synthetic(60, 40, n_ratings=900, seed=3)
    t = Trainer(data, ModelSpec(hidden=(6,)), TrainSpec(epochs=2, seed=0))
    t.run()
    counts = data.ratings_per_movie
    unrated = np.flatnonzero(data.dense_rows(np.array([0]))[0] == 0)
    rare = int(unrated[np.argmin(counts[unrated])])   # user 1's unrated movie with fewest ratings
    assert counts[rare] < 10
    with torch.no_grad():   # the network now predicts it far above the top of the scale
        t.network.biases[-1][rare] += 10.0
    path = tmp_path / "rare.aegui"
    save_session(path, session_from_trainer(t))
    user = data.user_ids[0]

    def recs(*extra):
        code, out, err = run(capsys, "recommend", str(path), "--user", user, "--top", "5", "--json", *extra)
        assert code == 0, err
        return json.loads(out)

    loose = recs("--min-ratings", "1")
    first = loose["recommendations"][0]
    assert loose["min_ratings"] == 1
    assert (first["movie_id"], first["predicted"], first["n_ratings"], first["clipped"]) == \
        (data.movie_ids[rare], 5.0, int(counts[rare]), True)
    top = float(data.values.max())
    assert all(r["predicted"] == top for r in loose["recommendations"] if r["clipped"])
    assert all(r["n_ratings"] == counts[data.movie_ids.index(r["movie_id"])] for r in loose["recommendations"])

    k = int(counts[rare]) + 1
    strict = recs("--min-ratings", str(k))
    assert strict["min_ratings"] == k and len(strict["recommendations"]) == 5
    assert data.movie_ids[rare] not in {r["movie_id"] for r in strict["recommendations"]}
    assert all(r["n_ratings"] >= k for r in strict["recommendations"])

    default = recs()   # the engine's rule: 10 on this set (median ~21 ratings per movie)
    assert default["min_ratings"] == default_min_ratings(counts) == 10
    assert all(r["n_ratings"] >= 10 for r in default["recommendations"])

    code, out, err = run(capsys, "recommend", str(path), "--user", user, "--top", "3", "--min-ratings", "1")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("5.00 ▲") and f"{counts[rare]} ratings" in lines[0]
    assert data.movie_titles[rare] in lines[0] and "at least 1 training rating;" in err and "▲" in err
    assert all(f"{r['n_ratings']} ratings" in line and ("▲" in line) == r["clipped"]
               for r, line in zip(loose["recommendations"], lines))

    code, _, err = run(capsys, "recommend", str(path), "--user", user, "--min-ratings", "-1")
    assert code == 2 and "--min-ratings" in err


def test_session_round_trip_restores_everything(tmp_path):
    data = synthetic(30, 15, n_ratings=250, seed=2)
    rng = np.random.default_rng(1)
    held = rng.random(data.n_ratings) < 0.2
    t = Trainer(data.subset(~held), ModelSpec(kind="sparse", hidden=(9,)), TrainSpec(epochs=4, lr=0.01),
                test=data.subset(held))
    t.run()
    path = tmp_path / "run.aegui"
    save_session(path, session_from_trainer(t, name="run"))
    s = load_session(path)
    assert s.name == "run" and s.model == t.model and s.training == t.training
    for a, b in ((s.ratings, t.train_all), (s.test, t.test)):
        np.testing.assert_array_equal(a.users, b.users)
        np.testing.assert_array_equal(a.values, b.values)
        assert a.user_ids == b.user_ids and a.movie_titles == b.movie_titles
    again = trainer_from_session(s)
    assert torch.equal(again.network.params, t.network.params)
    assert again.metrics() == pytest.approx(t.metrics())
    np.testing.assert_allclose(again.history().epoch_train_rmse, t.history().epoch_train_rmse)
    assert again.state == "finished" and again.epoch == t.epoch


def test_session_files_never_unpickle(tmp_path):
    data = synthetic(10, 6, n_ratings=40, seed=0)
    path = tmp_path / "evil.aegui"
    save_session(path, Session(data))
    # replace an array by a pickled object array: it must be refused, not executed
    evil = io.BytesIO()
    np.save(evil, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["ratings/values.npy"] = evil.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for n, blob in members.items():
            z.writestr(n, blob)
    with pytest.raises(SessionError, match="not a plain array"):
        load_session(path)


@pytest.mark.parametrize("content,needle", [
    (b"not a zip", "not a ZIP"),
    (None, "session.json is missing"),
])
def test_bad_session_files(tmp_path, content, needle):
    path = tmp_path / "bad.aegui"
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("other.txt", "x")
    else:
        path.write_bytes(content)
    with pytest.raises(SessionError, match=needle):
        load_session(path)


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    data = synthetic(10, 6, n_ratings=40, seed=0)
    path = tmp_path / "keep.aegui"
    save_session(path, Session(data, name="first"))
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr("aegui.core.session._npy", boom)
    with pytest.raises(OSError):
        save_session(path, Session(data, name="second"))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.aegui"]  # no temporary file left behind


def test_console_script_runs_in_a_subprocess(udata):
    out = subprocess.run([sys.executable, "-m", "aegui", "inspect", str(udata)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and json.loads(out.stdout)["ratings"] == 900


def test_bench_quick_prints_the_ratios(capsys):
    code, out, err = run(capsys, "bench", "--quick", "--json")
    assert code == 0, err
    report = json.loads(out)
    for key in ("tutorial_s_per_epoch", "online_s_per_epoch", "minibatch_s_per_epoch", "online_speedup",
                "minibatch_speedup", "load_1m_s", "peak_mb_10m"):
        assert report[key] > 0
    # the engine's mini-batch epoch beats the tutorials' per-user loop by far, even in the quick sizes
    assert report["minibatch_s_per_epoch"] * 5 < report["tutorial_s_per_epoch"]
    assert report["minibatch_s_per_epoch"] < report["online_s_per_epoch"]
