"""Saving never harms what is at the target: only regular files are replaced, permissions are kept,
and temporary files do not outlive their writer."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from aegui.cli import main
from aegui.core.data.demo import synthetic
from aegui.core.safe_write import WriteError, atomic_write, clean_leftovers
from aegui.core.session import Session, SessionError, load_session, save_session


def session():
    return Session(synthetic(10, 6, n_ratings=40, seed=0))


def test_a_fifo_or_a_directory_at_the_target_is_left_alone(tmp_path):
    fifo = tmp_path / "pipe.aegui"
    os.mkfifo(fifo)
    with pytest.raises(SessionError, match="pipe.aegui: is not a regular file"):
        save_session(fifo, session())
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    folder = tmp_path / "dir.aegui"
    folder.mkdir()
    with pytest.raises(SessionError, match=r"dir\.aegui: is a directory"):
        save_session(folder, session())
    assert folder.is_dir() and not list(tmp_path.glob(".*.tmp"))


def test_the_targets_permissions_are_kept_and_new_files_follow_the_umask(tmp_path):
    old = tmp_path / "shared.aegui"
    old.write_bytes(b"old")
    os.chmod(old, 0o644)
    save_session(old, session())
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o644 and load_session(old).ratings.n_ratings == 40
    mask = os.umask(0o027)
    try:
        save_session(tmp_path / "new.aegui", session())
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(tmp_path / "new.aegui").st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("precious")

    def fail(fh):
        fh.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert target.read_text() == "precious" and os.listdir(tmp_path) == ["keep.txt"]


def test_leftovers_of_a_killed_writer_are_removed_on_the_next_write(tmp_path):
    target = tmp_path / "s.aegui"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".s.aegui.{pid}.abc123.tmp"
    stale.write_bytes(b"partial")
    mine = tmp_path / f".s.aegui.{os.getpid()}.xyz.tmp"  # a writer still alive (this process): kept
    mine.write_bytes(b"in progress")
    save_session(target, session())
    assert not stale.exists() and mine.exists() and target.exists()
    assert clean_leftovers(target) == []


def test_the_cli_names_the_target_not_the_temporary(tmp_path, capsys):
    data = tmp_path / "r.csv"
    data.write_text("user,a,b\n1,4,5\n2,3,0\n3,1,2\n")
    folder = tmp_path / "out.aegui"
    folder.mkdir()
    assert main(["train", str(data), "--epochs", "1", "--save", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{folder}: is a directory" in err and ".tmp" not in err
    assert main(["export", str(folder), str(tmp_path / "missing" / "m.pt")]) == 2


def test_export_into_a_missing_folder_is_a_message(tmp_path, capsys):
    from aegui.core.engine.spec import ModelSpec, TrainSpec
    from aegui.core.engine.trainer import Trainer
    from aegui.core.session import session_from_trainer

    t = Trainer(synthetic(10, 6, n_ratings=40, seed=0), ModelSpec(hidden=(3,)), TrainSpec(epochs=1))
    saved = tmp_path / "t.aegui"
    save_session(saved, session_from_trainer(t))
    assert main(["export", str(saved), str(tmp_path / "missing" / "m.pt")]) == 2
    err = capsys.readouterr().err
    assert "m.pt: the folder" in err and "does not exist" in err and "Traceback" not in err
    with pytest.raises(WriteError, match="does not exist"):
        atomic_write(tmp_path / "nowhere" / "x", lambda fh: None)
