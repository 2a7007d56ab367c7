"""What to quote in a bug report: the versions of aegui and of what it runs on (no Qt, no torch).

Versions come from the installed packages' metadata (:mod:`importlib.metadata`), so that asking for them
imports nothing heavy: ``aegui --version`` and Help ▸ About stay instant, and torch stays off the path
to the window's first paint.
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

from . import __version__

#: (label, distribution) of the libraries listed after aegui and Python
LIBRARIES = (("torch", "torch"), ("Qt (PySide6)", "PySide6-Essentials"), ("pyqtgraph", "pyqtgraph"),
             ("numpy", "numpy"), ("Pillow", "Pillow"))
#: PySide6 is installed as one of these distributions
_PYSIDE = ("PySide6-Essentials", "PySide6")
#: the application icon (SVG, and a 256 × 256 PNG rendered from it) in the repository's assets/
ICON_SVG = Path(__file__).resolve().parent.parent / "assets" / "aegui.svg"
ICON_PNG = ICON_SVG.with_suffix(".png")


def _version(distribution: str) -> str:
    names = _PYSIDE if distribution in _PYSIDE else (distribution,)
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def versions(qt_runtime: str | None = None) -> dict[str, str]:
    """``{label: version}`` for aegui, Python and :data:`LIBRARIES`; ``qt_runtime`` (``qVersion()``,
    known only to callers that already run Qt) is added to the PySide6 line when it differs."""
    found = {"aegui": __version__, "Python": f"{platform.python_version()} ({platform.python_implementation()})"}
    for label, distribution in LIBRARIES:
        found[label] = _version(distribution)
    if qt_runtime and qt_runtime != found["Qt (PySide6)"]:
        found["Qt (PySide6)"] += f" (Qt {qt_runtime})"
    return found


def version_text(qt_runtime: str | None = None) -> str:
    """One ``label: version`` line each, aegui first: ``aegui --version`` and the About box print it."""
    return "\n".join(f"{label} {value}" if label == "aegui" else f"{label}: {value}"
                     for label, value in versions(qt_runtime).items())
