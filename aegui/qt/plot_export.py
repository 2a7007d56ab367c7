"""Export of any pyqtgraph view (a plot, a layout of plots, heat maps) to PNG or SVG, and the "Export…"
button every chart carries."""

from __future__ import annotations

from typing import Callable

from pyqtgraph import exporters
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsView, QPushButton, QWidget

FILTER = "PNG image (*.png);;SVG drawing (*.svg)"


def export_view(view: QGraphicsView, path: str, title: str = "aegui") -> None:
    """Save what ``view`` shows: SVG when ``path`` ends in ``.svg``, else an image (PNG …) through
    pyqtgraph's ``ImageExporter``.

    SVG goes through Qt's own generator (SVG 1.1, which keeps the plots' clipping): pyqtgraph 0.14's
    ``SVGExporter`` fails on the paths Qt ≥ 6.11 writes (``ValueError`` in ``correctCoordinates``,
    pyqtgraph issue #3495). Items are put in pyqtgraph's export mode while painting, so scatter symbols
    are drawn as vectors rather than cached pixmaps; heat maps stay embedded images."""
    scene = view.scene()
    if not path.lower().endswith(".svg"):
        exporters.ImageExporter(scene).export(path)
        return
    size = view.viewport().size()
    target = QRectF(0, 0, size.width(), size.height())
    svg = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)
    svg.setFileName(path)
    svg.setSize(size)
    svg.setViewBox(target)
    svg.setTitle(title)
    svg.setResolution(view.logicalDpiX())   # else QPicture-cached items (the axes) replay scaled by 72/dpi
    p = QPainter(svg)
    exporting = [item for item in scene.items() if hasattr(item, "setExportMode")]
    for item in exporting:
        item.setExportMode(True, {"painter": p, "antialias": True})
    try:
        p.fillRect(target, view.backgroundBrush())
        scene.render(p, target, view.mapToScene(view.viewport().rect()).boundingRect())
    finally:
        p.end()
        for item in exporting:
            item.setExportMode(False)


class ExportButton(QPushButton):
    """"Export…": asks for a file (:meth:`ask_path`, which tests replace) and calls ``export(path)``."""

    def __init__(self, export: Callable[[str], None], default_name: str, parent: QWidget | None = None):
        super().__init__("Export…", parent)
        self._export, self.default_name = export, default_name
        self.setToolTip("Save this chart as a PNG image or an SVG drawing")
        self.clicked.connect(self._clicked)

    def ask_path(self) -> str | None:
        """Ask where to save (tests override this)."""
        path, _ = QFileDialog.getSaveFileName(self, "Export", f"{self.default_name}.png", FILTER)
        return path or None

    def _clicked(self) -> None:
        path = self.ask_path()
        if path:
            self._export(path)
