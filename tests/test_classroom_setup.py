"""Setting aegui up in a classroom: the README's first command with and without sudo, ``--version``,
the desktop entry and its icon, the window's icon and Help ▸ About with every version."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from aegui import __version__
from aegui.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _first_command() -> str:
    """The first ``bash`` block of the README (install and launch)."""
    return re.search(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/bash\necho \"{name} $*\" >> \"$LOG\"\n{body}\n")
    path.chmod(0o755)


@pytest.mark.parametrize("has_sudo", [False, True])
def test_the_readme_first_command_runs_with_and_without_sudo(tmp_path, has_sudo):
    """Run with stub programs (nothing is installed): as root in a container without sudo, apt-get is
    called directly; where sudo exists, through it."""
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    _stub(bin_dir, "apt-get", "")
    _stub(bin_dir, "python3", '/bin/mkdir -p .venv/bin && for p in pip python; do\n'
                              '  printf \'#!/bin/bash\\necho "%s $*" >> "$LOG"\\n\' "$p" > .venv/bin/$p; '
                              '/bin/chmod +x .venv/bin/$p; done')
    if has_sudo:
        _stub(bin_dir, "sudo", '"$@"')
    command = _first_command()
    assert "\n" not in command  # one command
    out = subprocess.run(["/bin/bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=30,
                         env={"PATH": str(bin_dir), "LOG": str(log)})
    assert out.returncode == 0, out.stderr
    calls = log.read_text().splitlines()
    apt = [c for c in calls if "apt-get" in c]
    assert [c.split()[0] for c in apt] == (["sudo", "apt-get"] * 2 if has_sudo else ["apt-get"] * 2)
    assert any(c.startswith("apt-get install -y") for c in calls)
    assert calls[-2:] == ["pip install torch==2.13.0 -e .", "python main.py"]


def test_version_lists_aegui_python_and_the_libraries(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"aegui {__version__}"
    assert f"Python: {sys.version.split()[0]}" in out
    for name, dist in (("torch", "torch"), ("Qt (PySide6)", "PySide6-Essentials"), ("pyqtgraph", "pyqtgraph"),
                       ("Pillow", "Pillow")):
        assert f"{name}: {metadata.version(dist)}" in lines


def test_version_imports_neither_torch_nor_qt():
    code = "import sys; from aegui.cli import main; main(['--version']); print(sorted({m.split('.')[0] for m in " \
           "sys.modules} & {'torch', 'PySide6', 'pyqtgraph'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "[]"


def test_install_desktop_entry_writes_the_entry_and_the_icon(tmp_path, monkeypatch, capsys):
    home = tmp_path / "share dir"          # a space: the Exec and Icon values must survive it
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    assert main(["--install-desktop-entry"]) == 0
    printed = capsys.readouterr().out.split("\n")
    entry = home / "applications" / "aegui.desktop"
    svg = home / "icons" / "hicolor" / "scalable" / "apps" / "aegui.svg"
    png = home / "icons" / "hicolor" / "256x256" / "apps" / "aegui.png"
    assert printed[:3] == [str(svg), str(png), str(entry)]
    assert svg.read_bytes() == (ROOT / "assets" / "aegui.svg").read_bytes()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    keys = dict(line.split("=", 1) for line in lines[1:] if line)
    assert keys["Type"] == "Application" and keys["Name"] == "aegui" and keys["Terminal"] == "false"
    assert keys["Icon"] == str(svg) and Path(keys["Icon"]).is_file()
    assert keys["Exec"] == f"{sys.executable} -m aegui %f" if " " not in sys.executable else keys["Exec"].endswith(
        " -m aegui %f")
    assert keys["TryExec"] == sys.executable
    assert not [p for p in home.rglob(".*.tmp")]  # written atomically: no temporary file left
    # again, over the first: the same files, nothing else
    assert main(["--install-desktop-entry"]) == 0
    assert sorted(p.name for p in home.rglob("*") if p.is_file()) == ["aegui.desktop", "aegui.png", "aegui.svg"]


def test_exec_arguments_are_quoted_as_the_specification_asks():
    from aegui.desktop_entry import exec_argument

    assert exec_argument("/usr/bin/python3") == "/usr/bin/python3"
    assert exec_argument("/home/a b/py") == '"/home/a b/py"'
    assert exec_argument('/x/$HOME"`\\') == '"/x/\\$HOME\\"\\`\\\\"'
    assert exec_argument("/100%/py") == "/100%%/py"


def test_an_unwritable_data_home_is_a_clear_error(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["--install-desktop-entry"]) == 2
    assert "aegui: error: " in capsys.readouterr().err
    assert blocker.read_text() == "not a folder"


def test_the_window_has_the_icon_and_help_about_lists_every_version(window, qtbot):
    from PySide6.QtCore import qVersion

    assert not window.windowIcon().isNull()
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a is window.about_action)
    about.trigger()
    dialog = window.about_dialog
    qtbot.waitExposed(dialog)
    text = dialog.text.text()
    for value in (__version__, sys.version.split()[0], metadata.version("torch"),
                  metadata.version("PySide6-Essentials"), metadata.version("pyqtgraph")):
        assert value in text
    if qVersion() != metadata.version("PySide6-Essentials"):
        assert qVersion() in text
    assert not dialog.findChild(type(dialog.text)).pixmap().isNull()  # the icon
    qtbot.mouseClick(dialog.copy_button, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text().startswith(f"aegui: {__version__}\nPython: ")
    dialog.close()
