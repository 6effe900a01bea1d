# The bundled schemes.  This folder ships inside the wheel as the package
# ``compliance.bundled`` (see pyproject.toml), so the YAML files load through
# importlib.resources wherever the package is installed.
