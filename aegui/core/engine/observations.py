"""Ratings as the network sees them: observation rows, scaled, in dense blocks.

An observation is a user (user-based) or a movie (item-based, I-AutoRec); its input vector is
``x = r / s`` (``s = ModelSpec.input_scale``, 5 by default) over the features (0 = not rated) and its mask
``r > 0``, made as ``sign(r)`` (ratings are positive): one vectorised pass, cheaper than a comparison and a
cast or than fetching a cached mask.

Centred (``ModelSpec.centered``, the default on real data): ``x = (r − b) / s`` on rated cells and 0
elsewhere, where ``b = μ + b_row + b_col`` is the bias-only baseline's prediction for the cell
(:mod:`.baselines`); the network then reconstructs what the baseline misses, and a prediction is
``b + s·y``. An untrained network (``y = 0``) is exactly the baseline. Small sets are kept as one dense tensor (fast slicing); large ones
(ML-10M: 70k × 10.7k) are densified one block of rows at a time, so memory grows with the ratings, never
with users × movies.
"""

from __future__ import annotations

import numpy as np
import torch

from ..data.ratings import Ratings
from .spec import RATING_SCALE
#: sets with at most this many cells are cached densely (128 MB of float32)
DENSE_CACHE_CELLS = 1 << 25


def orient(ratings: Ratings, item_based: bool) -> Ratings:
    """Observation-major view: rows are users, or movies when ``item_based``."""
    return ratings.transposed() if item_based else ratings


class Observations:
    """Scaled dense blocks ``(x, mask)`` of the rows of an observation-major :class:`Ratings`."""

    def __init__(self, ratings: Ratings, *, scale: float = RATING_SCALE, dtype: torch.dtype = torch.float32,
                 device: str | torch.device = "cpu", cache_cells: int = DENSE_CACHE_CELLS,
                 centre: tuple[float, np.ndarray, np.ndarray] | None = None):
        """``centre``: ``(μ, row biases (n,), column biases (m,))`` in rating units, or ``None`` (raw)."""
        self.ratings = ratings
        self.scale = float(scale)
        self.n = ratings.n_users
        self.m = ratings.n_movies
        self.dtype, self.device = dtype, torch.device(device)
        self.centre = centre
        if centre is not None:
            mu, rows, cols = centre
            self._row_offset = torch.as_tensor((mu + np.asarray(rows)) / self.scale, dtype=dtype, device=self.device)
            self._col_offset = torch.as_tensor(np.asarray(cols) / self.scale, dtype=dtype, device=self.device)
        self._r = None
        if self.n * self.m <= cache_cells:
            self._r = torch.from_numpy(ratings.to_dense()).to(self.device, dtype).div_(self.scale)

    def block(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(x, mask)`` of shape ``(len(rows), m)`` for a 1-D index tensor of rows."""
        if self._r is None:
            r = torch.from_numpy(self.ratings.dense_rows(rows.cpu().numpy())).to(self.device, self.dtype)
            r.div_(self.scale)
        elif rows.numel() == 1:
            k = int(rows[0])
            r = self._r[k:k + 1]
        else:
            r = self._r.index_select(0, rows)
        mask = torch.sign(r)
        if self.centre is None:
            return r, mask
        return (r - self.offset(rows)).mul_(mask), mask

    def offset(self, rows: torch.Tensor) -> torch.Tensor:
        """``(len(rows), m)``: ``b / s`` of every cell of the rows (zeros when not centred)."""
        if self.centre is None:
            return torch.zeros((rows.numel(), self.m), dtype=self.dtype, device=self.device)
        return self._row_offset[rows.to(self.device)][:, None] + self._col_offset[None, :]

    def to_ratings(self, y: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """Predicted ratings ``s·(y + b/s)`` (unclipped) of outputs ``y`` ``(len(rows), m)``."""
        if self.centre is None:
            return y * self.scale
        return (y + self.offset(rows)).mul_(self.scale)

    def encode(self, ratings: np.ndarray, row_bias: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
        """``(x, b/s)``, each ``(1, m)``: the input and offsets of a row of ratings not in the set
        (``(m,)``, 0 = not rated) whose own row bias is ``row_bias``; its predictions are ``s·(y + b/s)``."""
        r = torch.as_tensor(np.asarray(ratings, dtype=np.float32) / self.scale, dtype=self.dtype,
                            device=self.device)[None]
        if self.centre is None:
            return r, torch.zeros_like(r)
        offset = self._col_offset[None, :] + (self.centre[0] + row_bias) / self.scale
        return (r - offset).mul_(torch.sign(r)), offset

    def row(self, r: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.block(torch.tensor([r]))


class Codes:
    """Dense hidden codes as the input of a deeper pre-training stage: every cell counts (mask ``None``)."""

    def __init__(self, codes: torch.Tensor):
        self.codes = codes
        self.n, self.m = codes.shape

    def block(self, rows: torch.Tensor) -> tuple[torch.Tensor, None]:
        if rows.numel() == 1:
            r = int(rows[0])
            return self.codes[r:r + 1], None
        return self.codes.index_select(0, rows), None

    def row(self, r: int) -> tuple[torch.Tensor, None]:
        return self.block(torch.tensor([r]))
