"""The command line, ``python -m candidacy``: a thin edge over the core."""

from candidacy.cli.main import main

__all__ = ["main"]
