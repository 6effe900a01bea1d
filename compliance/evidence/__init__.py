"""A trust's submission: ``records`` and ``catalogue`` (models), ``model`` (the root), ``loader``."""
