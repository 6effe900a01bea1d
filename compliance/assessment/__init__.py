"""Assessing a trust's evidence against schemes, stage by stage (``assess.py`` says the order)."""
