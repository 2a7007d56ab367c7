"""The guided lesson: its pages as data (no window), then driven page by page through the real window
with the Next, Back and Leave buttons, and ``aegui --lesson N``."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from aegui.core import lesson
from aegui.core.lesson import ACTIONS, DOCKS, LOOK_AT, PAGES, WAIT, Facts, seed_numbers
from aegui.core.presets import PRESETS


# ---------------------------------------------------------------------- the pages, without a window
def test_every_page_is_complete_and_renders_without_numbers():
    assert len(PAGES) >= 20
    for page in PAGES:
        assert page.title and page.section is not None
        text = page.text(Facts())
        assert text.startswith("<p>") and len(text) > 80, page.title
        assert page.preset is None or page.preset in PRESETS
        if page.specs() is not None:
            model, training = page.specs()   # the specs validate on construction
            ratings = PRESETS[page.preset].ratings()
            assert model.shape_warning(model.n_inputs(ratings)) is None, page.title
            model.check_size(model.n_inputs(ratings))
        assert all(a[0] in ACTIONS for a in page.actions), page.title
        assert page.dock is None or page.dock in DOCKS
        assert page.look_at is None or page.look_at in LOOK_AT


def test_the_story_follows_the_seed_and_shows_every_type():
    titles = [p.title for p in PAGES]
    steps = [t for t in titles if t.startswith("Step ")]
    assert [t.split(":")[0] for t in steps] == [f"Step {k}" for k in range(1, 9)]
    kinds = [p.model.get("kind") for p in PAGES if p.model.get("kind")]
    assert kinds == ["overcomplete", "sparse", "denoising", "contractive", "stacked", "deep"]
    assert PAGES[0].preset == "seed-example" and PAGES[5].preset == "seed-toy"


def test_the_seed_example_numbers_are_computed():
    from aegui.core.engine.seed_example import seed_pass

    engine = seed_pass([1, 0, 0, 0])
    ours = seed_numbers(0)
    assert np.array_equal(ours["z"], engine.hidden) and np.array_equal(ours["y"], engine.output)
    assert np.allclose(ours["softmax"], engine.softmax) and np.array_equal(ours["argmax"], engine.argmax)
    assert np.argmax(seed_numbers(0, bias=lesson.EXAMPLE_BIAS)["y"]) == 1


def test_the_seeds_loose_statements_are_corrected():
    by_title = {p.title: p for p in PAGES}
    softmax = by_title["Softmax: probabilities"].text(Facts())
    online = by_title["Online or batch learning"].text(Facts())
    assert "reinforcement learning" in online and "it is not" in online
    assert "arg-max" in softmax or WAIT in softmax


def test_bad_page_numbers_are_refused():
    assert lesson.page_number_error(1) is None and lesson.page_number_error(len(PAGES)) is None
    assert f"1 to {len(PAGES)}" in lesson.page_number_error(0)
    assert lesson.page_number_error(len(PAGES) + 1)


def test_the_lesson_core_imports_no_qt_and_no_torch():
    code = ("import sys, aegui.core.lesson as l; [p.text(l.Facts()) for p in l.PAGES]; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'torch'))]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("n", ["0", str(len(PAGES) + 1), "two"])
def test_lesson_option_with_a_bad_page_exits_2(n, capsys):
    from aegui.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--lesson", n])
    assert exit_.value.code == 2
    assert "--lesson" in capsys.readouterr().err


# ---------------------------------------------------------------------- driven through the window
TIMEOUT = 30_000


def _settled(qtbot, dock):
    qtbot.waitUntil(lambda: not dock.busy, timeout=TIMEOUT)
    assert not dock.failure, dock.failure


def _check_page(qtbot, window, dock, index):
    """The page's set-up, actions, dock and highlight took effect in the window."""
    from aegui.core.engine.protocol import State
    from aegui.qt.live_panel import on_screen

    page = PAGES[index]
    assert dock.index == index and dock.panel.number.text() == f"page {index + 1} of {len(PAGES)}"
    assert dock.panel.title.text() == page.title
    s = window.snapshot
    if page.specs() is not None:
        model, training = page.specs()
        assert window.doc.ratings.source == PRESETS[page.preset].data
        assert window.doc.model == model and window.doc.training == training
        assert window.model_panel.kind.currentData() == model.kind          # the Model panel's type
        assert window.controller.info["model"].kind == model.kind           # the network built
        assert s.phase.kind != "finetune" or tuple(s.sizes[1:-1]) == tuple(model.hidden) + tuple(reversed(model.hidden[:-1]))
    if page.dock:
        assert on_screen(window.docks[page.dock].widget()), page.dock
    if page.look_at:
        assert dock.highlight.target is dock.target(page.look_at)
        if on_screen(dock.highlight.target):
            assert dock.highlight.isVisible()
    for name, *args in page.actions:
        if name == "select_user":
            assert s.trace is None or s.trace.observation == args[0]
        elif name == "walk":
            assert window.network_view.plan.beats or s.step > 0 or s.position > 0 or s.epoch > 0
        elif name == "hold":   # held at that step, when the walk shown has it (step 2 comes before any walk)
            view = window.network_view
            assert view.step == args[0] or not any(b.step == args[0] for b in view.plan.beats)
        elif name == "finish_epoch":
            assert s.epoch >= 1
        elif name == "train":
            assert window.controller.running or window.controller.state == State.FINISHED
        elif name == "temperature":
            assert math.isclose(window.readout_panel.t, args[0], rel_tol=0.05)
        elif name == "bias":
            assert np.allclose(s.biases[-1], lesson.EXAMPLE_BIAS) == args[0]
        elif name == "rate":
            typed = window.new_user_panel.model.values
            assert [typed[m] for m, _ in args[0]] == [v for _, v in args[0]]
            assert window.new_user_panel.encoding is not None
    # the numbers the text quotes came from the app
    qtbot.waitUntil(lambda: WAIT not in dock.panel._html, timeout=TIMEOUT)


@pytest.fixture
def opened(qtbot, window):
    window.training_panel.speed.setValue(window.training_panel.speed.maximum())   # full speed
    window.lesson_action.trigger()                                              # Help ▸ Lesson
    dock = window.lesson
    assert dock.isVisible() and dock.index == 0
    _settled(qtbot, dock)
    return dock


def test_next_drives_the_window_through_every_page(qtbot, window, opened):
    from PySide6.QtCore import Qt

    dock = opened
    _check_page(qtbot, window, dock, 0)
    seen = {}
    for index in range(1, len(PAGES)):
        qtbot.mouseClick(dock.panel.next_button, Qt.MouseButton.LeftButton)
        _settled(qtbot, dock)
        _check_page(qtbot, window, dock, index)
        seen[PAGES[index].title] = dock.panel._html
    assert not dock.panel.next_button.isEnabled()
    # numbers quoted are the app's: the error page quotes the trace's loss
    assert "Ann" in seen["Step 2: a user enters"]
    assert "the arg-max picks movie 2" in seen["Biases"]


def test_back_returns_and_leave_closes_and_reopening_resumes(qtbot, window, opened):
    from PySide6.QtCore import Qt

    dock = opened
    step3 = next(k for k, p in enumerate(PAGES) if p.title.startswith("Step 3"))
    dock.go(step3 + 1)                                   # Step 4 (it walks one observation first)
    _settled(qtbot, dock)
    assert window.network_view.step == 4
    qtbot.mouseClick(dock.panel.back_button, Qt.MouseButton.LeftButton)
    _settled(qtbot, dock)
    _check_page(qtbot, window, dock, step3)
    assert window.network_view.step == 3 and window.snapshot.step == 1   # the same observation, held at step 3
    qtbot.mouseClick(dock.panel.leave_button, Qt.MouseButton.LeftButton)
    assert not dock.isVisible() and not dock.highlight.isVisible()
    assert int(window.settings.value("lesson/page")) == step3
    window.lesson_action.trigger()
    assert dock.isVisible() and dock.index == step3
    _settled(qtbot, dock)


def test_the_lesson_is_keyboard_operable(qtbot, window, opened):
    from PySide6.QtCore import Qt

    dock = opened
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert dock.panel.next_button.hasFocus()                  # the lesson takes the focus when it opens
    qtbot.keyClick(dock.panel.next_button, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    _settled(qtbot, dock)
    assert dock.index == 1
    qtbot.keyClick(dock.panel.next_button, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    _settled(qtbot, dock)
    assert dock.index == 0
    qtbot.keyClick(dock.panel.text, Qt.Key.Key_Escape)
    assert not dock.isVisible()


def test_lesson_option_opens_at_page_n(qtbot, window, tmp_path):
    from aegui.qt.app import _scripted

    png = tmp_path / "lesson.png"
    n = next(k for k, p in enumerate(PAGES) if p.title.startswith("Step 5")) + 1
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert _scripted(app, window, None, str(png), 0.0, (), n) == 0
    assert window.lesson.index == n - 1 and png.stat().st_size > 0
    assert window.network_view.step == 5
