"""The scheme language: ``model`` (types), ``checker`` (named checking stages), ``loader`` (YAML in)."""
