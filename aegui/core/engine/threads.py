"""How many threads torch may use: chosen on purpose, never left to the default.

Spinning OpenMP threads that share cores with other busy threads ran training up to 90× slower on a
2-core machine (and measured here: two threads on a shared 2-vCPU machine were slower than one, while
small layers gain little from more threads anyway), so one core is always left to everything else:

* ``headless`` (the command line, the benchmarks): ``cores − 1`` threads, at least 1, at most 8;
* next to a window (the trainer's process of the desktop app): one more core is left to the window,
  ``cores − 2``, at least 1, at most 8.

``AEGUI_THREADS`` or an explicit count overrides both. torch's count is per thread: call
:func:`configure` in the thread that trains.
"""

from __future__ import annotations

import os


def default_threads(headless: bool = True) -> int:
    env = os.environ.get("AEGUI_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = os.cpu_count() or 1
    return max(1, min(8, cores - (1 if headless else 2)))


def configure(threads: int | None = None, headless: bool = True) -> int:
    """Set torch's intra-op thread pool (and a single inter-op thread); returns the count used."""
    import torch

    n = threads if threads and threads > 0 else default_threads(headless)
    torch.set_num_threads(n)
    torch.set_flush_denormal(True)  # decaying optimiser moments must not fall into slow subnormal arithmetic
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set once in this process: torch allows it only before parallel work starts
    return n
