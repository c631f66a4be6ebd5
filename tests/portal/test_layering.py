"""The layering holds (README "Layering"): import-linter's contracts, the ones CI runs, pass; and
the contract that keeps applications below review would catch the old cycle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_contract_is_kept():
    result = _lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "applications never imports review (the old cycle) KEPT" in result.stdout
    assert "documents never imports aftercare KEPT" in result.stdout


def test_applications_importing_review_breaks_the_build(tmp_path):
    # A copy of the tree with one forbidden import added: the linter must fail on it.
    copy = tmp_path / "tree"
    for package in ("portal", "applications", "review"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / ".importlinter").write_text((ROOT / ".importlinter").read_text())
    with open(copy / "applications" / "checklist.py", "a") as module:
        module.write("\nfrom review.services import application_transition  # noqa: E402,F401\n")
    result = subprocess.run([str(LINT_IMPORTS)], cwd=copy, capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "applications never imports review (the old cycle) BROKEN" in result.stdout
    assert "applications.checklist -> review.services" in result.stdout
