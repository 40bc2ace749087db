"""The last released terminal, as a store still runs it: its source read from git at the release's commit (`git
archive`: the repository's branches, index and work tree are left as they are) into a folder of its own, and its
kiosk run there on its own Python path (testing/old_terminal_driver.py) against today's HQ."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

from testing.processes import ROOT, clean_environ

LAST_RELEASE = "3087933"  # the last landed release: the oldest terminal code HQ must still take batches from
DRIVER = ROOT / "testing" / "old_terminal_driver.py"


def release_tree(folder: Path, commit: str = LAST_RELEASE) -> Path:
    """The release's files under `folder` (created); raises with git's words when the commit is not in this clone."""
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, timeout=120)
    if archive.returncode != 0:
        raise RuntimeError(f"git archive {commit}: {archive.stderr.decode(errors='replace').strip()}")
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:  # our own repository's files
        tar.extractall(folder, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return folder


def run_old_terminal(tree: Path, **args: str) -> dict:
    """The driver in the old tree's Python (its folder first on the path, nothing of today's importable before it);
    its one JSON line of answers."""
    done = subprocess.run([sys.executable, str(DRIVER), json.dumps(args)], cwd=tree, capture_output=True, text=True,
                          env=clean_environ(PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1"), timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"the old terminal failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
