"""Write constraints.txt: the exact version of every package in the environment that runs this script.

Run it with the project's interpreter after adding, removing or upgrading a package:

    .venv/bin/python scripts/pin.py

The installs in the README and in CI read the file with ``-c constraints.txt``, so a fresh checkout gets the same
versions that were tested; tests/test_dependencies.py fails while the environment and the pins differ.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / 'constraints.txt'
PROJECT = 'kabinet'
HEADER = (
    '# The exact versions of every package the portal and its tests were checked with.\n'
    '# Generated from the environment by scripts/pin.py: after changing a package, run\n'
    '#     .venv/bin/python scripts/pin.py\n'
)


def main() -> int:
    frozen = subprocess.run(
        [sys.executable, '-m', 'pip', 'freeze', '--exclude-editable', '--exclude', PROJECT],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins = sorted(
        (line.strip() for line in frozen.splitlines() if line.strip() and not line.startswith('#')),
        key=str.lower,
    )
    unpinned = [line for line in pins if '==' not in line]
    if unpinned:  # a package from a URL or a folder cannot be pinned by version
        sys.stderr.write('Not installed from an index, cannot pin: ' + ', '.join(unpinned) + '\n')
        return 1
    TARGET.write_text(HEADER + ''.join(f'{line}\n' for line in pins), encoding='utf-8')
    sys.stdout.write(f'{len(pins)} packages pinned in {TARGET.name}\n')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
