"""Session-wide test settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_scheme_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests (and the commands they start) keep checked schemes in their own cache, never the user's."""
    mp = pytest.MonkeyPatch()
    mp.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path_factory.mktemp("scheme-cache")))
    mp.delenv("COMPLIANCE_NO_CACHE", raising=False)
    yield
    mp.undo()
