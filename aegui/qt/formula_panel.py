"""Formula panel: the seed's training steps for the observation shown, with the live numbers of the
selected node substituted in.

Every number comes from the snapshot's trace (the engine computed it); the panel only writes them into
the formulas: ``a = Σ W·h + b`` shows its largest terms and the engine's total, ``h = f(a)``, the error
``e = y − x`` on rated outputs, ``L = 1/n Σ e²``, the back-propagated ``δ = ∂L/∂a`` and the last update.
The step the network view is drawing (its ``stepChanged``) is marked, so both name the same one.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from ..core.scene import code_column, feature_label, trace_levels, traced_unit
from ..core.steps import STEPS, penalty_text
from .live_panel import LivePanel

#: terms of a weighted sum written out before "+ …"
TERMS = 4


def _n(v: float) -> str:
    return f"{v:.4g}"


class FormulaPanel(LivePanel):
    """``show_snapshot(snapshot)`` and ``select(column, unit)``: column 0 is the input, column ``l`` the
    output of layer ``l``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # a text browser lays its document out once per change; a word-wrapped rich-text QLabel in a
        # scroll area asked the whole layout for size hints at every frame (a fifth of the window's time)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        # setHtml empties the document first: a scroll bar shown as needed would go and come back (and
        # the text be laid out twice) at every frame
        self.text.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.text.setToolTip("The seed's steps with this observation's numbers; click a node in the network")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.text)
        self._html = ""
        self.snapshot = None
        self.model = None
        self.node: tuple[int, int] | None = None
        self.step = 0
        self.show_steps()

    def select(self, column: int, unit: int) -> None:
        self.node = None if column < 0 else (column, unit)
        self.show_snapshot(self.snapshot)

    def set_model(self, model) -> None:
        """The :class:`ModelSpec` being trained (it names the penalty term)."""
        self.model = model
        self.show_snapshot(self.snapshot)

    def show_step(self, step: int) -> None:
        """Mark the seed's step ``step`` (2–8) as the one drawn now; 0 marks none."""
        if step != self.step:
            self.step = step
            self.show_snapshot(self.snapshot)

    def _title(self, step: int) -> str:
        """The step's number and name in bold, marked when it is the one drawn now."""
        return self._mark(step, f"<b>Step {step} — {STEPS[step - 1][1]}</b>")

    def _mark(self, step: int, text: str) -> str:
        """``text`` on the highlight colour when ``step`` is the one drawn now."""
        if step != self.step:
            return text
        pal = self.palette()
        return (f"<span style='background-color:{pal.color(QPalette.ColorRole.Highlight).name()};"
                f"color:{pal.color(QPalette.ColorRole.HighlightedText).name()}'>▶ {text}</span>")

    def show_steps(self, header: str = "") -> None:
        rows = "".join(f"<tr><td><b>{n}</b></td><td>{self._mark(int(n), name)}</td><td><code>{html.escape(f)}</code>"
                       "</td></tr>" for n, name, f in STEPS)
        self._show(f"{header}<table cellspacing='4'>{rows}</table>"
                   "<p><i>Click a node in the network to see its numbers in these formulas.</i></p>")

    def _show(self, text: str) -> None:
        """Show ``text`` (HTML), keeping the reader's scroll position; nothing to do when unchanged."""
        if text == self._html:
            return
        self._html = text
        bar = self.text.verticalScrollBar()
        at = bar.value()
        self.text.setHtml(text)
        bar.setValue(at)

    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        if snapshot is not None and self.due():  # a hidden tab is drawn when it is shown
            self.draw()

    def draw(self) -> None:
        """The steps with the latest snapshot's numbers."""
        snapshot = self.snapshot
        if snapshot is None:
            return
        tr = snapshot.trace
        if tr is None:
            self.show_steps(f"<p><b>{html.escape(snapshot.phase.title)}</b></p>")
            return
        penalty = penalty_text(self.model, tr.penalty)
        head = (f"<p><b>observation {html.escape(tr.label)}</b>: L = {_n(tr.loss)} over n = {tr.n_rated} rated "
                f"inputs" + (f" (+ {penalty})" if penalty else "") + "</p>")
        if self.node is None or self.node[0] > len(snapshot.weights):
            self.show_steps(head)
            return
        self._show(head + self._node_html(snapshot, *self.node))

    def _node_html(self, s, column: int, unit: int) -> str:
        """The node's numbers in the formulas. Columns map to the trace through :mod:`aegui.core.scene`
        (a pre-training stage's small autoencoder fills three columns of the whole network)."""
        tr = s.trace
        n_layers = len(s.weights)
        k = code_column(n_layers) or n_layers // 2
        levels, _ = trace_levels(s)
        whole = levels[0] == [0]   # the pass starts at the ratings (not a pre-training stage's codes)
        lines: list[str] = []
        if column in levels[0]:
            if not whole:
                return (self._title(2) + f" (layer {column}, unit {unit + 1})<br>pre-training input: the code "
                        f"h = {_n(tr.x_in[unit])} of the layers below, for this observation")
            r = tr.as_rating(tr.x)[unit]
            name = feature_label(s, unit)
            lines.append(self._title(2) + f" ({html.escape(name)})")
            if tr.rated[unit] and tr.offset is not None:
                lines.append(f"x<sub>{unit + 1}</sub> = (r − b) ÷ s = ({_n(r)} − {_n(tr.offset[unit])}) ÷ "
                             f"{_n(tr.scale)} = {_n(tr.x[unit])}, where b = μ + b<sub>user</sub> + b<sub>movie</sub> "
                             "is what the bias-only baseline expects")
            elif tr.rated[unit]:
                lines.append(f"x<sub>{unit + 1}</sub> = r ÷ s = {_n(r)} ÷ {_n(tr.scale)} = {_n(tr.x[unit])}")
                if tr.x_in[unit] != tr.x[unit]:
                    lines.append(f"corrupted input x̃ = {_n(tr.x_in[unit])} (the loss still compares with x)")
            else:
                lines.append(f"not rated: x<sub>{unit + 1}</sub> = 0, left out of the loss")
            return "<br>".join(lines)
        traced = traced_unit(s, column)
        if traced is None:
            return f"layer {column}, unit {unit + 1}: not part of the pass shown (this stage trains other layers)"
        t, layer = traced
        w, b = s.weights[layer], s.biases[layer]
        inputs = tr.x_in if t == 1 else tr.post[t - 2]
        a, h = tr.pre[t - 1][unit], tr.post[t - 1][unit]
        terms = w[unit] * inputs
        top = np.argsort(-np.abs(terms), kind="stable")[:TERMS]
        shown = " + ".join(f"{_n(w[unit, i])}·{_n(inputs[i])}" for i in top if terms[i] != 0) or "0"
        more = len(terms) - len(top)
        f = s.activations[layer]
        last = t == len(levels) - 1      # the pass's reconstruction
        step = 4 if last or column > k else 3
        sym = "y" if last else ("z" if column == k else "h")
        lines.append(self._title(step) + f" (layer {column}, unit {unit + 1})")
        lines.append(f"a = Σ W·h + b = {shown}" + (f" + … ({more} more)" if more > 0 else "")
                     + f" + {_n(b[unit])} = <b>{_n(a)}</b>")
        lines.append(f"{sym} = {f}(a) = {f}({_n(a)}) = <b>{_n(h)}</b>")
        if last:
            if tr.rated[unit]:
                e = tr.error[unit]
                lines.append(self._title(5) + f": e = y − x = {_n(h)} − {_n(tr.x[unit])} = <b>{_n(e)}</b>; "
                             f"its share of L = e²/n = {_n(e * e / max(tr.n_rated, 1))}")
                if whole:
                    lines.append(f"as a rating: {_n(tr.as_rating(tr.post[t - 1])[unit])} for "
                                 f"{_n(tr.as_rating(tr.x)[unit])}")
            else:
                lines.append(self._title(5) + f": not rated, so not in L (the prediction is "
                             f"{_n(tr.as_rating(tr.post[t - 1])[unit])})")
        lines.append(self._title(6) + f": δ = ∂L/∂a = <b>{_n(tr.deltas[t - 1][unit])}</b>")
        if tr.grad_b is not None:
            lines.append(f"∂L/∂b = δ = {_n(tr.grad_b[t - 1][unit])} (this observation)")
        if s.update_b is not None:
            lines.append(self._title(7) + f": Δb = {_n(s.update_b[layer][unit])} (last update)")
        return "<br>".join(lines)
