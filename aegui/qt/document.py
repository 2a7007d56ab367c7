"""The open document: the ratings grid, its test split, the model and training settings, the file it
came from, and the undo stack for every edit. Views read it and send edits to it; it never draws.

Edits are :class:`QUndoCommand` objects pushed on :attr:`Document.undo_stack`; each command swaps whole
immutable :class:`Ratings` values (cheap: the arrays are shared, not copied, when nothing changed), so
undo and redo are exact and a failed edit leaves everything as it was.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.data.ratings import Ratings
from ..core.engine.spec import ModelSpec, TrainSpec


class _SetRatings(QUndoCommand):
    """Replace the ratings (and the test mask that goes with them) by another value; undo restores."""

    def __init__(self, doc: "Document", new: Ratings, new_test: np.ndarray, text: str):
        super().__init__(text)
        self.doc = doc
        self.old, self.old_test = doc.ratings, doc.test_mask
        self.new, self.new_test = new, new_test

    def redo(self):
        self.doc._assign(self.new, self.new_test)

    def undo(self):
        self.doc._assign(self.old, self.old_test)


class _SetSpecs(QUndoCommand):
    def __init__(self, doc: "Document", model: ModelSpec, training: TrainSpec, text: str):
        super().__init__(text)
        self.doc = doc
        self.old = (doc.model, doc.training)
        self.new = (model, training)

    def redo(self):
        self.doc._assign_specs(*self.new)

    def undo(self):
        self.doc._assign_specs(*self.old)


class Document(QObject):
    """The single source of truth for what the user is working on.

    Attributes:
        ratings: every rating of the grid (training and held-out test cells together).
        test_mask: ``(n_ratings,) bool`` aligned with ``ratings``: the held-out test cells.
        model, training: the settings the next network is built and trained with.
        path: the session file, or ``None`` before the first save.
    """

    ratingsChanged = Signal()          # cells, labels or the test split changed
    specsChanged = Signal()
    dirtyChanged = Signal(bool)
    pathChanged = Signal(str)

    def __init__(self, ratings: Ratings, model: ModelSpec | None = None, training: TrainSpec | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.ratings = ratings
        self.test_mask = np.zeros(ratings.n_ratings, dtype=bool)
        self.model = model or ModelSpec(hidden=(6, 3))
        self.training = training or TrainSpec()
        self.path: str | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    # ------------------------------------------------------------------ reading
    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def train_ratings(self) -> Ratings:
        return self.ratings.subset(~self.test_mask)

    def test_ratings(self) -> Ratings | None:
        return self.ratings.subset(self.test_mask) if self.test_mask.any() else None

    # ------------------------------------------------------------------ edits (undoable)
    def set_cells(self, users, movies, values, text: str = "Edit ratings") -> None:
        """Set cells (``0`` clears); raises ``RatingsError`` (nothing changes) on invalid values.
        Test cells that are edited become training cells."""
        new = self.ratings.with_cells(users, movies, values)
        self.undo_stack.push(_SetRatings(self, new, self._carry_test_mask(new, users, movies), text))

    def replace_ratings(self, ratings: Ratings, test_mask: np.ndarray | None = None,
                        text: str = "Replace ratings") -> None:
        mask = np.zeros(ratings.n_ratings, dtype=bool) if test_mask is None else np.asarray(test_mask, bool)
        self.undo_stack.push(_SetRatings(self, ratings, mask, text))

    def set_specs(self, model: ModelSpec, training: TrainSpec, text: str = "Change settings") -> None:
        if (model, training) != (self.model, self.training):
            self.undo_stack.push(_SetSpecs(self, model, training, text))

    def set_test_split(self, fraction: float, seed: int = 0) -> None:
        """Hold out ``fraction`` of the ratings as test cells (0 removes the split)."""
        from ..core.data.splits import random_test_mask

        mask = random_test_mask(self.ratings, max(0.0, fraction), seed=seed)
        self.undo_stack.push(_SetRatings(self, self.ratings, mask, f"Hold out {fraction:.0%} as test"))

    # ------------------------------------------------------------------ replacing the whole document
    def reset(self, ratings: Ratings, model: ModelSpec | None = None, training: TrainSpec | None = None,
              path: str | None = None, test_mask: np.ndarray | None = None) -> None:
        """Start over on new data (open, new, import): the undo history is cleared."""
        self.undo_stack.clear()
        self.ratings = ratings
        self.test_mask = np.zeros(ratings.n_ratings, dtype=bool) if test_mask is None else test_mask
        if model is not None:
            self.model = model
        if training is not None:
            self.training = training
        self.set_path(path)
        self.ratingsChanged.emit()
        self.specsChanged.emit()
        self.dirtyChanged.emit(False)

    def set_path(self, path: str | None) -> None:
        self.path = path
        self.pathChanged.emit(path or "")

    def mark_saved(self) -> None:
        self.undo_stack.setClean()

    # ------------------------------------------------------------------ internals
    def _clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    def _carry_test_mask(self, new: Ratings, users, movies) -> np.ndarray:
        """The test mask re-aligned to ``new``: old test cells stay test unless they were edited."""
        old = self.ratings
        edited = np.asarray(users, np.int64).ravel() * old.n_movies + np.asarray(movies, np.int64).ravel()
        return np.isin(new.cell_keys, np.setdiff1d(old.cell_keys[self.test_mask], edited))

    def _assign(self, ratings: Ratings, test_mask: np.ndarray) -> None:
        self.ratings, self.test_mask = ratings, test_mask
        self.ratingsChanged.emit()

    def _assign_specs(self, model: ModelSpec, training: TrainSpec) -> None:
        self.model, self.training = model, training
        self.specsChanged.emit()
