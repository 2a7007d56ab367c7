"""Launch aegui: ``python main.py`` opens the window; ``python main.py train FILE`` and the other
sub-commands work headless (see ``python main.py --help``)."""

import sys

from aegui.cli import main

if __name__ == "__main__":
    sys.exit(main())
