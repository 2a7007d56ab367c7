"""Recordings: the Qt-free writer (GIF, APNG, MP4), ``aegui record`` (bad arguments refused with status
2 and nothing left behind; a real recording decoded with Pillow) and File ▸ Record… in the window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aegui.cli import main
from aegui.core import animation
from aegui.core.animation import AnimationError, AnimationWriter

ROOT = Path(__file__).resolve().parent.parent


def frames_of(path: Path) -> list[np.ndarray]:
    """Every frame of an animated GIF or PNG, decoded by Pillow, as RGB arrays."""
    with Image.open(path) as im:
        out = []
        for k in range(getattr(im, "n_frames", 1)):
            im.seek(k)
            out.append(np.asarray(im.convert("RGB")))
    return out


def distinct(frames: list[np.ndarray]) -> int:
    return len({f.tobytes() for f in frames})


def moving_bar(k: int, w: int = 161, h: int = 101) -> np.ndarray:
    """Frame ``k`` of a test animation (odd sides on purpose)."""
    f = np.full((h, w, 3), 240, np.uint8)
    f[:, : 8 * k + 4] = (245, 147, 34)
    f[5 * k:, :, 2] = 189
    return f


# ---------------------------------------------------------------------------------- the writer
@pytest.mark.parametrize("name", ["out.gif", "out.png", "out.apng"])
def test_gif_and_apng_hold_every_frame_at_its_size_and_pace(tmp_path, name):
    writer = AnimationWriter(tmp_path / name, fps=10)
    times = [0.0, 0.1, 0.25, 0.3, 0.5]
    for k, t in enumerate(times):
        assert writer.add(moving_bar(k), t)
    assert writer.durations_ms() == [100, 150, 50, 200, 100]
    path = writer.finish()
    frames = frames_of(path)
    assert len(frames) == 5 and distinct(frames) == 5
    assert all(f.shape == (101, 161, 3) for f in frames)
    if name.endswith("png"):  # lossless: the very pixels given
        assert all(np.array_equal(f, moving_bar(k)) for k, f in enumerate(frames))
    else:                     # one shared palette: colours within a few levels
        assert all(np.abs(f.astype(int) - moving_bar(k)).max() <= 8 for k, f in enumerate(frames))
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_mp4_streams_through_ffmpeg(tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    writer = AnimationWriter(tmp_path / "out.mp4", fps=10)
    for k in range(12):
        writer.add(moving_bar(k, 160, 100))
    path = writer.finish()
    decoded = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=60, check=True).stdout
    frames = np.frombuffer(decoded, np.uint8).reshape(-1, 100, 160, 3)
    assert len(frames) == 12 and distinct(list(frames)) == 12
    assert np.abs(frames[6].astype(int) - moving_bar(6, 160, 100)).mean() < 4  # lossy, but the same picture
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_without_imageio_ffmpeg_mp4_is_refused_with_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(animation, "mp4_available", lambda: False)
    with pytest.raises(AnimationError, match=r'pip install "aegui\[mp4\]"'):
        AnimationWriter(tmp_path / "out.mp4", fps=10)


def test_frames_of_another_size_the_memory_limit_and_abort(tmp_path, monkeypatch):
    writer = AnimationWriter(tmp_path / "out.gif", fps=10)
    writer.add(moving_bar(0))
    with pytest.raises(ValueError, match="every frame must be 161x101"):
        writer.add(moving_bar(0, 100, 100))
    monkeypatch.setattr(animation, "MEMORY_LIMIT", 2 * moving_bar(0).nbytes)
    assert writer.add(moving_bar(1))
    assert not writer.add(moving_bar(2))   # full: not kept
    assert writer.count == 2
    writer.abort()
    with pytest.raises(AnimationError, match="no frame was recorded"):
        writer.finish()
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------------- aegui record
@pytest.mark.parametrize("args, message", [
    (["--fps", "0"], "frames a second must be above 0"),
    (["--fps", "500"], "at most 50"),
    (["--size", "0x0"], "a frame size must be 16 to 4096 pixels"),
    (["--size", "wide"], "a size is WIDTHxHEIGHT"),
    (["--seconds", "0"], "--seconds must be above 0"),
    (["--preset", "nope"], "unknown preset 'nope'"),
])
def test_record_refuses_bad_arguments_with_status_2_and_leaves_nothing(tmp_path, capsys, args, message):
    assert main(["record", str(tmp_path / "out.gif"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("aegui: error: ") and message in err
    assert not list(tmp_path.iterdir())


def test_record_refuses_unknown_extensions_and_unwritable_places(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    cases = [(tmp_path / "out.avi", "unknown extension '.avi'"), (tmp_path / "out", "unknown extension '(none)'"),
             (tmp_path / "missing" / "out.gif", "does not exist"), (blocker / "out.gif", "does not exist"),
             (tmp_path, "unknown extension")]
    if os.path.isdir("/proc/self"):   # not writable even by root
        cases.append((Path("/proc/aegui-test.gif"), "cannot write in /proc"))
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        cases.append((locked / "out.gif", "cannot write in"))
    for target, message in cases:
        assert main(["record", str(target), "--seconds", "1"]) == 2, target
        err = capsys.readouterr().err
        assert err.startswith("aegui: error: ") and message in err, (target, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"] + (["locked"] if os.geteuid() != 0 else [])
    assert not list(tmp_path.glob("**/.*"))


def test_record_refuses_a_file_and_a_preset_together(tmp_path, capsys):
    data = tmp_path / "grid.csv"
    data.write_text("user,a,b\n1,5,3\n")
    assert main(["record", str(tmp_path / "out.gif"), str(data), "--preset", "seed-example"]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["record", str(tmp_path / "out.gif"), str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def _record(tmp_path, *args, timeout=180):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "aegui", "record", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=tmp_path)


def test_record_writes_a_gif_of_the_steps_at_the_size_asked(tmp_path):
    out = tmp_path / "steps.gif"
    result = _record(tmp_path, str(out), "--steps", "--seconds", "2.5", "--fps", "8", "--size", "320x200")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    frames = frames_of(out)
    assert distinct(frames) >= 3                      # the walk through steps 2–8 moves
    assert {f.shape for f in frames} == {(200, 320, 3)}
    assert out.stat().st_size < 1_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["steps.gif"]  # no settings, no temporary file


def test_record_the_whole_window_training_to_an_apng(tmp_path):
    out = tmp_path / "window.png"
    result = _record(tmp_path, str(out), "--view", "window", "--preset", "seed-example", "--seconds", "2",
                     "--fps", "5", "--size", "640x400")
    assert result.returncode == 0, result.stderr
    frames = frames_of(out)
    assert distinct(frames) >= 2 and {f.shape for f in frames} == {(400, 640, 3)}


# ---------------------------------------------------------------------------------- File ▸ Record…
def test_file_record_records_the_network_view_while_it_trains(window, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from aegui.qt.training_panel import SPEEDS

    window.training_panel.speed.setValue(SPEEDS.index(0.03))  # slow enough that every observation is drawn
    window.record_action.trigger()
    dialog = window.record_dialog
    qtbot.waitExposed(dialog)
    dialog.path.setText(str(tmp_path / "bad.avi"))
    assert not dialog.record_button.isEnabled() and "unknown extension" in dialog.problem.text()
    dialog.path.setText(str(tmp_path / "live.gif"))
    assert dialog.record_button.isEnabled()
    dialog.fps.setValue(10)
    assert dialog.size.currentData() is None  # as on screen
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert window.recorder is not None and window.recorder.recording
    assert window.rec_indicator.isVisible() and window.rec_indicator.text().startswith("● REC 0:0")
    assert "#d32f2f" in window.rec_indicator.styleSheet()
    assert window.record_action.text() == "Stop &recording"
    view_size = window.network_view.size()
    window.training_panel.play_action.trigger()
    qtbot.waitUntil(lambda: window.snapshot.step > 20, timeout=20_000)
    qtbot.wait(800)
    window.record_action.trigger()  # stop: saved
    assert window.recorder is None and not window.rec_indicator.isVisible()
    window.training_panel.play_action.trigger()
    frames = frames_of(tmp_path / "live.gif")
    assert distinct(frames) >= 3
    assert {f.shape for f in frames} == {(view_size.height(), view_size.width(), 3)}
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "settings.ini") == ["live.gif"]
