"""The network view's pens, brushes and fonts, made from the widget's palette and font (light and dark
themes): one :class:`Style`, made again whenever either changes."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette, QPen

from .. import palette
from .items import blend


@dataclass(frozen=True)
class Style:
    """Colours: ``base`` the background, ``text``, ``dim`` (faint texts, frozen edges, hollow outlines),
    ``link`` (the "… N more" markers), ``band`` (behind an RBM). Fonts: ``font``, ``bold`` (captions),
    ``small`` (unit numbers, notes). Pens and brushes for the nodes: ``brushes[k]`` fills palette level
    ``k`` (:func:`aegui.qt.palette.levels`); ``pending_brush`` fills the columns the pass has not
    reached; ``signal_pens``, ``highlight_pens`` by sign (``True`` positive), ``glow_pens`` by
    strength (``True`` strong)."""

    base: QColor
    text: QColor
    dim: QColor
    link: QColor
    band: QColor
    font: QFont
    bold: QFont
    small: QFont
    node_pen: QPen
    no_pen: QPen
    hollow_pen: QPen
    hollow_brush: QBrush
    ring_pen: QPen
    dormant_pen: QPen
    pending_brush: QBrush
    brushes: list[QBrush]
    highlight_pens: dict[bool, QPen]
    signal_pens: dict[bool, QPen]
    glow_pens: dict[bool, QPen]

    @classmethod
    def of(cls, pal: QPalette, font: QFont) -> Style:
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        dim = pal.color(QPalette.ColorRole.PlaceholderText)
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        outline = QColor(text)
        outline.setAlpha(140)
        band = QColor(pal.color(QPalette.ColorRole.Highlight))
        band.setAlpha(28)

        def by_sign(width: float, make=pg.mkPen) -> dict[bool, QPen]:
            return {positive: make(palette.qcolor(1.0 if positive else -1.0), width=width)
                    for positive in (False, True)}

        return cls(
            base=base, text=text, dim=dim, link=pal.color(QPalette.ColorRole.Link), band=band,
            font=QFont(font), bold=bold, small=small,
            node_pen=pg.mkPen(outline, width=1), no_pen=pg.mkPen(None),
            hollow_pen=pg.mkPen(dim, width=1.3, style=Qt.PenStyle.DashLine),
            hollow_brush=QBrush(Qt.BrushStyle.NoBrush),
            ring_pen=pg.mkPen(pal.color(QPalette.ColorRole.Highlight), width=3),
            dormant_pen=pg.mkPen(dim, width=1.5, style=Qt.PenStyle.DashLine),
            pending_brush=QBrush(blend(dim, base, 0.18)),
            brushes=[QBrush(QColor(*c)) for c in palette.level_rgba().tolist()],
            highlight_pens=by_sign(2.6, lambda color, width: QPen(color, width)),
            signal_pens=by_sign(2.2),
            glow_pens={strong: QPen(QBrush(blend(QColor(palette.scheme().glow), base, 0.85 if strong else 0.6)),
                                    11.0 if strong else 8.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
                       for strong in (False, True)},
        )
