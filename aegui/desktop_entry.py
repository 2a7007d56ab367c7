"""``aegui --install-desktop-entry``: put aegui in the desktop's application menu (no Qt, no torch).

Writes, each atomically (:func:`~aegui.core.safe_write.atomic_write`), under ``$XDG_DATA_HOME`` (default
``~/.local/share``) as the freedesktop.org specifications place them:

- ``icons/hicolor/scalable/apps/aegui.svg`` and ``icons/hicolor/256x256/apps/aegui.png``, the icon;
- ``applications/aegui.desktop``, which starts this Python (``sys.executable -m aegui``, so the entry
  works without activating a virtual environment) and names the installed SVG by its absolute path (no
  icon-theme cache to refresh).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .about import ICON_PNG, ICON_SVG
from .core.safe_write import WriteError, atomic_write

DESKTOP_FILE = "aegui.desktop"
#: characters that make an Exec argument need quotes (Desktop Entry Specification, "The Exec key")
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def data_home() -> Path:
    """``$XDG_DATA_HOME`` when set to an absolute path (the spec ignores relative ones), else
    ``~/.local/share``."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def exec_argument(arg: str) -> str:
    """``arg`` as one argument of an ``Exec`` line: quoted when it holds a reserved character, with
    ``"``, `````, ``$`` and ``\\`` escaped inside the quotes; ``%`` doubled."""
    arg = arg.replace("%", "%%")
    if _RESERVED.intersection(arg):
        arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return arg


def _value(text: str) -> str:
    """A string value of a desktop entry: backslashes, newlines and tabs escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def entry_text(python: str, icon: Path) -> str:
    """The ``aegui.desktop`` file: ``python -m aegui`` with the file it is given, ``icon`` as its icon."""
    command = " ".join([exec_argument(python), "-m", "aegui", "%f"])
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        "Name=aegui",
        "GenericName=Autoencoder trainer",
        "Comment=" + _value("Train autoencoders on movie ratings and watch the network learn"),
        "Exec=" + _value(command),
        "TryExec=" + _value(python),
        "Icon=" + _value(str(icon)),
        "Terminal=false",
        "Categories=Education;Science;ArtificialIntelligence;",
        "Keywords=autoencoder;neural network;machine learning;recommendation;",
        "",
    ])


def _write_bytes(path: Path, data: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"{path.parent}: cannot create the folder ({exc.strerror})") from None
    return atomic_write(path, lambda fh: fh.write(data))


def install(home: Path | None = None, python: str | None = None) -> list[Path]:
    """Write the icon and the desktop entry under ``home`` (default :func:`data_home`); returns the
    paths written, the entry last. Raises :class:`WriteError` naming what could not be written."""
    home = home or data_home()
    icons = home / "icons" / "hicolor"
    written = []
    for source, target in ((ICON_SVG, icons / "scalable" / "apps" / "aegui.svg"),
                           (ICON_PNG, icons / "256x256" / "apps" / "aegui.png")):
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise WriteError(f"{source}: the icon cannot be read ({exc.strerror})") from None
        written.append(_write_bytes(target, data))
    entry = entry_text(python or sys.executable, written[0])
    written.append(_write_bytes(home / "applications" / DESKTOP_FILE, entry.encode("utf-8")))
    return written
