"""``python -m compliance``: the same as the ``compliance`` command."""

from .cli import entry

if __name__ == "__main__":
    entry()
