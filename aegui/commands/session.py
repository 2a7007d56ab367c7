"""``aegui recommend`` and ``aegui export``: using a saved session."""

from __future__ import annotations

import json
import sys

from ..cli import UsageError


def cmd_recommend(args) -> int:
    from ..core.engine.threads import configure
    from ..core.session import load_session, trainer_from_session
    from ..core.engine.predict import recommend, resolve_min_ratings, user_predictions

    session = load_session(args.session)
    if session.weights is None:
        raise UsageError(f"{args.session}: the session holds no trained weights")
    ids = session.ratings.user_ids
    try:
        user = ids.index(str(args.user))
    except ValueError:
        raise UsageError(f"user {args.user!r} is not in {args.session} ({len(ids)} users, e.g. {ids[0]!r})") from None
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    if args.min_ratings is not None and args.min_ratings < 0:
        raise UsageError("--min-ratings cannot be negative")
    least = resolve_min_ratings(args.min_ratings, session.ratings.ratings_per_movie)
    configure(None)
    trainer = trainer_from_session(session)
    predictions = user_predictions(trainer.network, trainer.prediction_inputs, user, session.model.item_based)
    picks = recommend(predictions, session.ratings, user, args.top, least)
    rows = [{"movie_id": session.ratings.movie_ids[p.movie], "title": session.ratings.movie_titles[p.movie],
             "predicted": round(p.predicted, 3), "n_ratings": p.n_ratings, "clipped": p.clipped} for p in picks]
    if args.json:
        print(json.dumps({"user": args.user, "min_ratings": least, "recommendations": rows}))
    else:
        for r in rows:
            mark = "▲" if r["clipped"] else " "
            print(f"{r['predicted']:.2f} {mark}  {r['n_ratings']:>6} ratings  {r['title']}  (id {r['movie_id']})")
        note = f"aegui: movies with at least {least} training rating{'' if least == 1 else 's'}"
        if any(r["clipped"] for r in rows):
            note += "; ▲: predicted above the top of the scale (ranked by the unclipped value)"
        sys.stderr.write(note + "\n")
    return 0


def cmd_export(args) -> int:
    from ..core.session import load_session, trainer_from_session

    session = load_session(args.session)
    if session.weights is None:
        raise UsageError(f"{args.session}: the session holds no trained weights")
    for path in trainer_from_session(session).export_model(args.out):
        print(path)
    return 0
