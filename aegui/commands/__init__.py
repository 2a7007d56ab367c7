"""The headless commands behind :mod:`aegui.cli` (each imported only when its command runs)."""
