"""aegui: a desktop visual trainer for autoencoders on movie-ratings grids.

Layout: ``aegui.core`` (data, engine, sessions; numpy and torch, no Qt), ``aegui.cli`` (the headless
command line over the core) and ``aegui.qt`` (the desktop window, which only draws core state).
"""

__version__ = "0.1.0"
