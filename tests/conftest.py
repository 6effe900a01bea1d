"""Session-wide test settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _private_scheme_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests (and the commands they start) keep checked schemes in their own cache, never the user's."""
    mp = pytest.MonkeyPatch()
    mp.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path_factory.mktemp("scheme-cache")))
    mp.delenv("COMPLIANCE_NO_CACHE", raising=False)
    yield
    mp.undo()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str, str]]:
    """The command line in-process, from the project root: ``run("assess", ...)`` gives (exit code, stdout, stderr).

    A test module that defines its own ``run`` uses that one instead.
    """
    from compliance import cli

    monkeypatch.chdir(ROOT)

    def _run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run
