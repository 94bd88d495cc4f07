"""The pinned dependencies: constraints.txt holds every installed package at its installed version, and no pinned
version has a known vulnerability (pip-audit against PyPI's vulnerability service)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / 'constraints.txt'
# the project itself, and what every new virtual environment brings (pip freeze leaves them out)
NOT_PINNED = {'kabinet', 'pip', 'setuptools', 'wheel', 'distribute'}
REFRESH = 'run `.venv/bin/python scripts/pin.py` and commit constraints.txt'


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in CONSTRAINTS.read_text(encoding='utf-8').splitlines():
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        name, sep, version = line.partition('==')
        assert sep and name and version, f'constraints.txt: not an exact pin: {line!r}'
        found[str(canonicalize_name(name))] = version
    return found


def test_every_installed_package_is_pinned_at_its_installed_version() -> None:
    installed = {
        str(canonicalize_name(dist.metadata['Name'])): dist.version
        for dist in importlib.metadata.distributions()
        if canonicalize_name(dist.metadata['Name']) not in NOT_PINNED
    }
    pinned = pins()
    missing = sorted(f'{name}=={version}' for name, version in installed.items() if name not in pinned)
    moved = sorted(
        f'{name} {pinned[name]} -> {version}'
        for name, version in installed.items()
        if name in pinned and pinned[name] != version
    )
    assert not missing, f'installed but not pinned: {", ".join(missing)}; {REFRESH}'
    assert not moved, f'installed at another version than pinned: {", ".join(moved)}; {REFRESH}'


def test_no_pinned_version_has_a_known_vulnerability(tmp_path: Path) -> None:
    _require_pypi()
    report = tmp_path / 'audit.json'
    run = subprocess.run(
        [
            sys.executable,
            '-m',
            'pip_audit',
            '--requirement',
            str(CONSTRAINTS),
            '--no-deps',  # every line is an exact pin: audit exactly these versions, install nothing
            '--disable-pip',
            '--vulnerability-service',
            'pypi',
            '--progress-spinner',
            'off',
            '--format',
            'json',
            '--output',
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if not report.exists() or not report.read_text(encoding='utf-8').strip():
        if 'connect' in run.stderr.lower() or 'timed out' in run.stderr.lower():
            pytest.skip(f"PyPI's vulnerability service cannot be reached: {_last_line(run.stderr)}")
        pytest.fail(f'pip-audit failed ({run.returncode}): {run.stderr[-2000:]}')
    dependencies: list[dict[str, Any]] = json.loads(report.read_text(encoding='utf-8'))['dependencies']
    vulnerable = [
        f'{d["name"]}=={d["version"]}: '
        + ', '.join(f'{v["id"]} (fixed in {", ".join(v["fix_versions"]) or "no release yet"})' for v in d['vulns'])
        for d in dependencies
        if d.get('vulns')
    ]
    assert not vulnerable, (
        'known vulnerabilities in pinned versions; raise the floor in pyproject.toml, upgrade, and '
        + REFRESH
        + ':\n'
        + '\n'.join(vulnerable)
    )
    pinned = pins()
    assert {canonicalize_name(d['name']) for d in dependencies} == set(pinned)  # every pin was looked at
    unaudited = [f'{d["name"]}=={pinned[canonicalize_name(d["name"])]}' for d in dependencies if d.get('skip_reason')]
    if unaudited:
        # an index that mirrors PyPI may answer for projects but not for single releases: nothing was checked then
        pytest.skip(
            f"PyPI's vulnerability service gave no answer for {len(unaudited)} of {len(dependencies)} pinned "
            f'packages, which stay unaudited here (e.g. {", ".join(unaudited[:5])})'
        )


def _require_pypi() -> None:
    try:
        httpx.head('https://pypi.org/pypi/pip-audit/json', timeout=15, follow_redirects=True).raise_for_status()
    except httpx.HTTPError as exc:
        pytest.skip(f"PyPI's vulnerability service cannot be reached: {exc!r}")


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else 'no answer'
