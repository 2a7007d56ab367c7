"""Help ▸ About: what aegui is and the versions to quote in a bug report (with a Copy button), and the
application icon (``assets/aegui.svg``) the window and the desktop show."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..about import ICON_PNG, ICON_SVG, versions

ISSUES_HINT = "When reporting a problem, paste these versions (Copy) with what you did and what you saw."


def app_icon() -> QIcon:
    """The application icon: the SVG (sharp at every size), with the 256-pixel PNG beside it for
    platforms without Qt's SVG image plugin; an empty icon when neither is there (a wheel install)."""
    icon = QIcon()
    for path in (ICON_SVG, ICON_PNG):
        if path.is_file():
            icon.addFile(str(path))
    return icon


class AboutDialog(QDialog):
    """The icon, one line on what aegui does, and a table of versions (:func:`aegui.about.versions`
    with the Qt library actually loaded); **Copy** puts them on the clipboard as plain text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About aegui")
        self.versions = versions(qVersion())
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>&nbsp;&nbsp;<b>{html.escape(v)}</b></td></tr>"
                       for k, v in self.versions.items())
        self.text = QLabel(
            "<h3>aegui</h3><p>A visual trainer for autoencoders on movie-ratings grids: watch the network "
            f"learn, then use what it learned.</p><table>{rows}</table><p>{html.escape(ISSUES_HINT)}</p>")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(380)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the versions as text, for a bug report")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)

    def plain_text(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.versions.items())

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.plain_text())
