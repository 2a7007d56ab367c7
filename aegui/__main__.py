"""``python -m aegui``: the same as the ``aegui`` command."""

import sys

from aegui.cli import main

if __name__ == "__main__":  # the trainer's process is spawned and imports this module again
    sys.exit(main())
