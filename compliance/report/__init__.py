"""Renderers of an :class:`~compliance.results.Assessment` (and of schemes, for the CLI).

The package is layered, each layer importing only those below it:

* the words: :mod:`.wording` (the English every renderer shares) and
  :mod:`.style` (status symbols, colours, small formatters);
* the analyses, which decide what is shown and draw nothing:
  :mod:`.outline` (one trust's report: headlines, summary rows, gaps),
  :mod:`.challenge` (the board-champion view), :mod:`.overview` (many trusts);
* the renderers, which lay those out: :mod:`.terminal` (rich), :mod:`.markdown`,
  :mod:`.html`, :mod:`.json`, and :mod:`.diff` (changes between two runs);
* :mod:`.formats`, the registry the command line chooses a format from; it
  imports a renderer only when that format renders.

Every renderer returns a string (or bytes) or draws on a rich ``Console`` it
is given; nothing here prints on its own, and nothing here reads the clock, so
the same input always gives byte-identical output.  Each module is imported
on its own (``from compliance.report import html``) to keep start-up cheap;
only :mod:`.terminal`, :mod:`.diff` and the scheme views import rich.
"""
