"""What the network shown says, asked of a trainer (mixed into :class:`~.trainer.Trainer`).

All three read the weights shown (the present, or a timeline point) under the trainer's lock and change
nothing: :meth:`~Queries.insight` (codes of every observation, one user's predictions),
:meth:`~Queries.encode` (a new user's pass) and :meth:`~Queries.export_model`.
"""

from __future__ import annotations

import numpy as np
import torch

from .snapshot import MAX_CODE_ROWS, Encoding, Insight, frozen, frozen_all


class Queries:
    """The query half of :class:`~.trainer.Trainer`."""

    def insight(self, user: int, top: int = 10, min_ratings: int | None = None) -> Insight:
        """Every observation's codes (an evenly spread sample on very large sets), the dormant units,
        and one user's ratings, predictions and recommendations (the ``top`` unrated movies with at least
        ``min_ratings`` training ratings; ``None``: :func:`~.snapshot.default_min_ratings`), from the
        weights shown (the present or a timeline point)."""
        from .predict import dormant_mask, hidden_codes, rated_rmse, recommend, resolve_min_ratings, user_predictions

        with self.lock:
            self._sync_stage()
            inputs, net = self.prediction_inputs, self.network
            n = inputs.n
            rows = np.arange(n) if n <= MAX_CODE_ROWS else np.unique(np.linspace(0, n - 1, MAX_CODE_ROWS).astype(np.int64))
            codes = hidden_codes(net, inputs, rows)
            train = self.train_all
            if not 0 <= user < train.n_users:
                raise ValueError(f"user {user + 1} does not exist ({train.n_users} users)")
            least = resolve_min_ratings(min_ratings, train.ratings_per_movie)
            raw = user_predictions(net, inputs, user, self.model.item_based)
            predictions = np.clip(raw, self.low, self.high)
            point = self.timeline.points[self.viewing] if self.viewing is not None else None
            own = train.dense_rows(np.array([user]))[0]
            held_out = (self.test.dense_rows(np.array([user]))[0] if self.test is not None and user < self.test.n_users
                        else np.zeros(train.n_movies, np.float32))
            return Insight(
                point.step if point else self.steps, point.epoch if point else self.epoch, self.viewing,
                frozen(rows), frozen_all(codes), len(self.model.hidden) - 1,
                frozen_all(c.mean(0) if len(c) else np.zeros(c.shape[1], np.float32) for c in codes),
                frozen_all(dormant_mask(c, self.model.sparsity_target) for c in codes), user,
                frozen(own), frozen(held_out), frozen(predictions), tuple(recommend(raw, train, user, top, least)),
                self.model.item_based, (rated_rmse(predictions, own), rated_rmse(predictions, held_out)), least,
                frozen(train.ratings_per_movie))

    def encode(self, ratings: np.ndarray, top: int = 10, min_ratings: int | None = None) -> Encoding:
        """A new user's pass (user-based models): ``x = r/s`` (``(n_movies,)``, 0 = not rated) through
        the network shown, without training; returns the codes, the clipped predictions ``s·y`` and
        the ``top`` recommendations (among movies with at least ``min_ratings`` training ratings, as in
        :meth:`insight`)."""
        from ..data.ratings import check_rating_values
        from .predict import recommend_unrated, resolve_min_ratings

        if self.model.item_based:
            raise ValueError("an item-based network takes movies, not users: a new user needs retraining")
        r = np.asarray(ratings, dtype=np.float32)
        if r.shape != (self.n_features,):
            raise ValueError(f"a new user rates {self.n_features} movies, got {r.shape[0] if r.ndim else 0} values")
        check_rating_values(r[r != 0], "new user's rating")
        counts = self.train_all.ratings_per_movie
        least = resolve_min_ratings(min_ratings, counts)
        with self.lock, torch.no_grad():
            self._sync_stage()
            x, offset = self.inputs.encode(r, self.baseline.new_user_bias(r))
            hs = self.network.forward(x)
            y = ((hs[-1] + offset)[0] * self.inputs.scale).cpu().numpy()
            return Encoding(frozen(r), frozen_all(h[0] for h in hs[1:-1]), len(self.model.hidden) - 1,
                            frozen(np.clip(y, self.low, self.high)),
                            tuple(recommend_unrated(y, r > 0, self.low, self.high, top, counts, least)), least)

    def export_model(self, path: str) -> tuple:
        """The network shown, as a torch state dict and a JSON description (:mod:`.export`)."""
        from .export import export_model

        with self.lock:
            self._sync_stage()
            return export_model(self.network, self.model, path, self.inputs.ratings.movie_ids, self._oriented,
                                self.inputs.ratings.user_ids)
