"""``python -m compliance``: the same as the ``compliance`` command."""

import sys

try:
    from .cli import entry
except KeyboardInterrupt:  # Ctrl-C while the command was still starting: no traceback for that
    sys.stderr.write("compliance: interrupted\n")
    sys.exit(130)

if __name__ == "__main__":
    entry()
