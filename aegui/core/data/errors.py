"""The one exception type for bad ratings input."""

from __future__ import annotations


class RatingsError(ValueError):
    """Bad ratings input, located as precisely as the input allows.

    ``str(error)`` reads ``file:line:column: message`` (GNU style, 1-based line and column), with the
    parts that are unknown left out. Readers raise it before building anything, so a failed load leaves
    whatever the caller held untouched.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.location_text())

    def location_text(self) -> str:
        """``file:line:column: message`` with unknown parts omitted."""
        parts = [str(p) for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(parts + [" " + self.message]) if parts else self.message
