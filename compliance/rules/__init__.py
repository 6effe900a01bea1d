"""Schemes compiled to durable-rules rulesets (``compiler``) and run per session (``runtime``)."""
