"""Ratings as the network sees them: observation rows, scaled, in dense blocks.

An observation is a user (user-based) or a movie (item-based, I-AutoRec); its input vector is
``x = r / s`` (``s = ModelSpec.input_scale``, 5 by default) over the features (0 = not rated) and its mask
``r > 0``, made as ``sign(x)`` (ratings are positive): one vectorised pass, cheaper than a comparison and a
cast or than fetching a cached mask. Small sets are kept as one dense tensor (fast slicing); large ones
(ML-10M: 70k × 10.7k) are densified one block of rows at a time, so memory grows with the ratings, never
with users × movies.
"""

from __future__ import annotations

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
                 device: str | torch.device = "cpu", cache_cells: int = DENSE_CACHE_CELLS):
        self.ratings = ratings
        self.scale = float(scale)
        self.n = ratings.n_users
        self.m = ratings.n_movies
        self.dtype, self.device = dtype, torch.device(device)
        self._x = None
        if self.n * self.m <= cache_cells:
            self._x = torch.from_numpy(ratings.to_dense()).to(self.device, dtype).div_(self.scale)

    def block(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(x, mask)`` of shape ``(len(rows), m)`` for a 1-D index tensor of rows."""
        if self._x is None:
            x = torch.from_numpy(self.ratings.dense_rows(rows.cpu().numpy())).to(self.device, self.dtype)
            x.div_(self.scale)
        elif rows.numel() == 1:
            r = int(rows[0])
            x = self._x[r:r + 1]
        else:
            x = self._x.index_select(0, rows)
        return x, torch.sign(x)

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
