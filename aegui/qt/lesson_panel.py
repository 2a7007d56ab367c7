"""The guided lesson's dock (Help ▸ Lesson, ``aegui --lesson [N]``): the pages of :mod:`aegui.core.lesson`,
one at a time, with Back / Next / Leave.

:class:`LessonPanel` only shows a page and emits the buttons; :class:`LessonDock` drives the window:
for each page it loads the page's set-up when the window shows another, carries out the page's actions
one after the other (each may wait for the engine: a timer polls the condition, so the window keeps
painting), raises the page's dock and draws a :class:`Highlight` around the widget to look at. The page
is remembered in the window's settings, so that the lesson opens again where it was left.
"""

from __future__ import annotations

import html
import time
from typing import Callable

import numpy as np
from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QLabel, QPushButton, QScrollArea, QTextBrowser,
                               QVBoxLayout, QWidget)

from ..core.engine.protocol import State
from ..core.engine.readout import EXAMPLE_BIAS
from ..core.lesson import PAGES, Facts, Page
from ..core.steps import moment
from .readout_panel import temperature_position

#: the settings key of the page the lesson was left at (0-based)
PAGE_KEY = "lesson/page"
#: an action that waits longer than this for the engine gives up (and says so)
WAIT_S = 60.0
#: the texts are written again at most this often while training changes their numbers
RENDER_MS = 300
#: the highlight: Okabe & Ito's orange (colour-blind safe), this wide, this far around the widget
HIGHLIGHT_COLOR = "#e69f00"
HIGHLIGHT_WIDTH, HIGHLIGHT_MARGIN = 4, 3


class Highlight(QWidget):
    """An orange frame drawn over the main window around ``target`` (mouse clicks pass through). It
    follows the target as docks move and hides while the target is out of sight (a hidden tab)."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setObjectName("lesson-highlight")
        self.target: QWidget | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.follow)
        self.hide()

    def point_at(self, target: QWidget | None) -> None:
        self.target = target
        if target is None:
            self._timer.stop()
            self.hide()
            return
        self.follow()
        self._timer.start()

    def follow(self) -> None:
        t = self.target
        if t is None or not t.isVisible() or t.visibleRegion().isEmpty():
            self.hide()
            return
        m = HIGHLIGHT_MARGIN + HIGHLIGHT_WIDTH
        top_left = t.mapTo(self.parentWidget(), t.rect().topLeft())
        geometry = QRect(top_left, t.size()).adjusted(-m, -m, m, m).intersected(self.parentWidget().rect())
        if geometry != self.geometry():
            self.setGeometry(geometry)
        self.show()
        self.raise_()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor(HIGHLIGHT_COLOR), HIGHLIGHT_WIDTH))
        w = HIGHLIGHT_WIDTH / 2
        p.drawRoundedRect(self.rect().adjusted(w, w, -w, -w), 6, 6)


class LessonPanel(QWidget):
    """A page: its section, title and text, ``page n of N``, and Back / Next / Leave (Alt+B, Alt+N,
    Alt+L; Escape leaves too)."""

    backRequested = Signal()
    nextRequested = Signal()
    leaveRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.section = QLabel()
        self.section.setObjectName("lesson-section")
        self.title = QLabel()
        self.title.setObjectName("lesson-title")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setMinimumHeight(120)
        self.text.setToolTip("The page's text; its numbers are the ones the app computed")
        self.number = QLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.back_button = QPushButton("‹ Back")
        self.back_button.setToolTip("The previous page (Alt+← or Alt+B)")
        self.next_button = QPushButton("Next ›")
        self.next_button.setToolTip("The next page (Alt+→ or Alt+N); it drives the window for you")
        self.leave_button = QPushButton("Leave")
        self.leave_button.setToolTip("Close the lesson (Alt+L, or Escape in the lesson); Help ▸ Lesson (F1) "
                                     "comes back to this page")
        self.back_button.clicked.connect(self.backRequested)
        self.next_button.clicked.connect(self.nextRequested)
        self.leave_button.clicked.connect(self.leaveRequested)
        # shortcuts of the whole window while the lesson is shown (not mnemonics: those need the platform's say)
        for keys, button in ((("Alt+Right", "Alt+N"), self.next_button), (("Alt+Left", "Alt+B"), self.back_button),
                             (("Alt+L",), self.leave_button)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.activated.connect(button.click)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.leaveRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.number, 1, Qt.AlignmentFlag.AlignCenter)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.leave_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.section)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.setFocusProxy(self.next_button)

    def show_page(self, index: int, count: int, page: Page) -> None:
        self.section.setText(f"<small>{html.escape(page.section)}</small>" if page.section else "")
        self.title.setText(page.title)
        self.number.setText(f"page {index + 1} of {count}")
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index + 1 < count)
        if index + 1 >= count and self.next_button.hasFocus():
            self.leave_button.setFocus()

    def show_text(self, text: str) -> None:
        if text != getattr(self, "_html", None):
            self._html = text
            bar = self.text.verticalScrollBar()
            kept = bar.value()
            self.text.setHtml(text)
            bar.setValue(kept)


class LessonDock(QDockWidget):
    """The lesson beside the window ``window`` (a :class:`~aegui.qt.main_window.MainWindow`): ``open(page)``,
    ``go(index)``, :attr:`index`, :attr:`busy` while a page's actions run, ``settled(index)`` when they
    are done."""

    settled = Signal(int)

    def __init__(self, window):
        super().__init__("Lesson", window)
        self.setObjectName("dock-Lesson")
        self.window_ = window
        self.panel = LessonPanel()
        self.setWidget(self.panel)
        self.highlight = Highlight(window)
        self.index = 0
        self.busy = False
        self.failure = ""
        self._ops: list[Callable[[], Callable[[], bool] | None]] = []
        self._waiting: Callable[[], bool] | None = None
        self._deadline = 0.0
        self._loaded = None                  # the ratings the lesson last loaded (edits replace them)
        self._fresh = True                   # a snapshot came from the network built last
        self._ready = True
        self._placed_below = None
        self._poll = QTimer(self)
        self._poll.setInterval(30)
        self._poll.timeout.connect(self._run)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_MS)
        self._render_timer.timeout.connect(self.render)
        self.panel.backRequested.connect(lambda: self.go(self.index - 1))
        self.panel.nextRequested.connect(lambda: self.go(self.index + 1))
        self.panel.leaveRequested.connect(self.leave)
        c = window.controller
        c.ready.connect(self._on_ready)
        window.snapshotShown.connect(self._on_snapshot)
        c.insight.connect(lambda _: self._schedule_render())
        c.encoded.connect(lambda _: self._schedule_render())
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self)
        data = window.docks.get("Data")
        if data is not None and not data.isFloating() and data.isVisible():
            window.splitDockWidget(data, self, Qt.Orientation.Vertical)
        self.hide()

    # ------------------------------------------------------------------ pages
    def saved_page(self) -> int:
        try:
            index = int(self.window_.settings.value(PAGE_KEY, 0))
        except (TypeError, ValueError):
            return 0
        return min(max(index, 0), len(PAGES) - 1)

    def open(self, page: int | None = None) -> None:
        """Show the lesson at ``page`` (0-based), or at the page where it was left. The lesson loads its own
        data: work of the user's not saved is asked about first (and the lesson stays closed on Cancel)."""
        w = self.window_
        if not self.isVisible() and w.doc.ratings is not self._loaded and not w.maybe_save():
            return
        first = self._placed_below is None
        self.show()
        self.raise_()
        if first:  # the lesson's text gets more of the left side than the grid
            self._placed_below = True
            data = w.docks.get("Data")
            if data is not None and data.isVisible() and not data.isFloating() and not self.isFloating():
                w.resizeDocks([data, self], [2 * w.height() // 5, 3 * w.height() // 5], Qt.Orientation.Vertical)
        self.panel.setFocus()
        self.go(self.saved_page() if page is None else page)

    def leave(self) -> None:
        """Close the lesson; the page stays saved. The window stays as the lesson left it."""
        self._ops, self._waiting = [], None
        self._poll.stop()
        self.busy = False
        self.highlight.point_at(None)
        self.hide()

    def closeEvent(self, event) -> None:
        self.leave()
        super().closeEvent(event)

    def go(self, index: int) -> None:
        """Page ``index``: shown at once, then its set-up and actions run (the page is remembered)."""
        if not 0 <= index < len(PAGES):
            return
        self.index = index
        self.window_.settings.setValue(PAGE_KEY, index)
        page = PAGES[index]
        self.panel.show_page(index, len(PAGES), page)
        self.failure = ""
        self.panel.note.setText("")
        self._ops = self._plan(page)
        self._waiting = None
        self._deadline = time.monotonic() + WAIT_S
        self.busy = True
        if page.dock:
            dock = self.window_.docks[page.dock]
            dock.show()
            dock.raise_()
        self.highlight.point_at(self.target(page.look_at))
        self.render()
        self._poll.start()
        self._run()

    def target(self, name: str | None) -> QWidget | None:
        """The widget a page's ``look_at`` names."""
        w = self.window_
        targets = {"network": w.network_view, "grid": w.data_panel.view, "steps": w.formula_panel,
                   "readout": w.readout_panel.table, "temperature": w.readout_panel.temperature,
                   "bias": w.readout_panel.bias, "training": w.training_panel, "charts": w.charts_panel,
                   "model-type": w.model_panel.kind, "model-mode": w.model_panel.mode, "codes": w.codes_panel,
                   "user": w.user_panel, "new-user": w.new_user_panel, "latent": w.latent_panel}
        widget = targets.get(name)
        if widget is not None:  # inside a scrolling dock (Model): scrolled into view
            parent = widget.parentWidget()
            while parent is not None and not isinstance(parent, QScrollArea):
                parent = parent.parentWidget()
            if parent is not None:
                parent.ensureWidgetVisible(widget)
        return widget

    # ------------------------------------------------------------------ the text
    def facts(self) -> Facts:
        w = self.window_
        return Facts(snapshot=w.snapshot, insight=w.network_view.insight, encoding=w.new_user_panel.encoding,
                     model=w.doc.model, training=w.doc.training, ratings=w.doc.ratings,
                     temperature=w.readout_panel.t)

    def render(self) -> None:
        self.panel.show_text(PAGES[self.index].text(self.facts()))

    def _schedule_render(self) -> None:
        if self.isVisible() and not self._render_timer.isActive():
            self._render_timer.start()

    def _on_ready(self) -> None:
        self._ready = True

    def _on_snapshot(self, _snapshot) -> None:
        if self._ready:
            self._fresh = True
        self._schedule_render()

    # ------------------------------------------------------------------ driving the window
    def _plan(self, page: Page) -> list:
        ops = []
        if page.specs() is not None:
            ops.append(lambda: self._set_up(page))
        for name, *args in page.actions:
            ops.append(lambda name=name, args=args: getattr(self, f"_do_{name}")(*args))
        return ops

    def _run(self) -> None:
        """Carry out the page's actions in turn; an action may return a condition to wait for first."""
        while True:
            if self._waiting is not None:
                if not self._waiting():
                    if time.monotonic() > self._deadline:
                        self._fail("the engine did not answer in time: try Next again")
                    return
                self._waiting = None
            if not self._ops:
                break
            self._waiting = self._ops.pop(0)()
        self._poll.stop()
        if self.busy:
            self.busy = False
            self.render()
            self.settled.emit(self.index)

    def _fail(self, text: str) -> None:
        self.failure = text
        self.panel.note.setText(f"<span style='color:#d55e00'>{html.escape(text)}</span>")
        self._ops, self._waiting = [], None

    def _set_up(self, page: Page):
        """Load the page's preset with its model and training, unless the window shows them already."""
        w = self.window_
        model, training = page.specs()
        if (w.doc.ratings is self._loaded and w.doc.model == model and w.doc.training == training
                and w.controller.built and w.snapshot is not None):
            return None
        self._ready = self._fresh = False
        w.load_preset(page.preset, model, training)
        self._loaded = w.doc.ratings
        return lambda: self._fresh and w.controller.built and w.snapshot is not None

    def _do_select_user(self, user: int):
        w = self.window_
        w.data_panel.select_user(user)

        def shown():
            tr = w.snapshot.trace if w.snapshot is not None else None
            return tr is None or tr.observation == user
        return shown

    def _do_walk(self):
        """Step one observation, unless the network view is walking (or holding) one's steps."""
        w = self.window_
        if w.network_view.plan.beats:
            return None
        return self._step(w.training_panel.step_obs_action)

    def _step(self, action):
        w = self.window_
        before = self._moment()
        action.trigger()
        return lambda: self._moment() != before and not w.controller.running

    def _moment(self):
        s = self.window_.snapshot
        return None if s is None else moment(s)

    def _do_hold(self, step: int):
        self.window_.network_view.hold_step(step)
        return None

    def _do_finish_epoch(self):
        """Step epoch, unless an epoch has just ended (the page visited again)."""
        s = self.window_.snapshot
        if s is not None and s.epoch > 0 and s.position >= s.n_observations:
            return None
        return self._step(self.window_.training_panel.step_epoch_action)

    def _do_train(self):
        """Play, unless training runs or is finished."""
        w = self.window_
        if w.controller.running or w.controller.state == State.FINISHED:
            return None
        w.training_panel.play_action.setChecked(True)
        return lambda: w.controller.running or w.controller.state == State.FINISHED

    def _do_temperature(self, t: float):
        self.window_.readout_panel.temperature.setValue(temperature_position(t))
        return None

    def _do_bias(self, on: bool):
        w = self.window_
        w.readout_panel.bias.setChecked(on)

        def shown():
            s = w.snapshot
            if s is None or len(s.biases[-1]) != len(EXAMPLE_BIAS):
                return True
            return bool(np.allclose(s.biases[-1], EXAMPLE_BIAS)) == on
        return shown

    def _do_rate(self, ratings):
        """Once training has stopped: type the new user's ratings (when not typed already) and wait for
        their encoding."""
        w = self.window_
        panel = w.new_user_panel

        def typed():
            if w.controller.running:
                return False
            wanted = np.zeros_like(panel.model.values)
            for movie, stars in ratings:
                wanted[movie] = stars
            if not np.array_equal(panel.model.values, wanted):
                panel.model.clear()
                for movie, stars in ratings:
                    panel.rate(movie, stars)
                return False
            return panel.encoding is not None and np.array_equal(panel.encoding.ratings, wanted)
        return typed
