"""How many threads torch may use: chosen on purpose, never left to the default.

On a 2-core machine two torch threads next to a busy UI thread (or another process) spin against each
other and ran training up to 90× slower; small layers gain little from more threads anyway. The rule:
one thread up to 2 cores, otherwise half the cores (at most 8); ``AEGUI_THREADS`` or an explicit value
overrides it.
"""

from __future__ import annotations

import os


def default_threads() -> int:
    env = os.environ.get("AEGUI_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else min(8, cores // 2)


def configure(threads: int | None = None) -> int:
    """Set torch's intra-op thread pool (and a single inter-op thread); returns the count used."""
    import torch

    n = threads if threads and threads > 0 else default_threads()
    torch.set_num_threads(n)
    torch.set_flush_denormal(True)  # decaying optimiser moments must not fall into slow subnormal arithmetic
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set once in this process: torch allows it only before parallel work starts
    return n
