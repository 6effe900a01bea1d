"""Renderers of an :class:`~compliance.results.Assessment` (and of schemes, for the CLI).

Every renderer returns a string or writes to a rich ``Console`` it is given;
nothing here prints on its own, and nothing here reads the clock, so the same
input always gives byte-identical output.  Each module is imported on its own
(``from compliance.report import html``) to keep start-up cheap.
"""
