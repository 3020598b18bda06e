"""The public API is fully typed: mypy --strict passes on the package (py.typed is shipped)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_mypy_strict_is_clean_on_the_package():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "src/atbib"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (ROOT / "src" / "atbib" / "py.typed").is_file()
