"""The benchmark's table on the terminal and its results file (bench/results.json)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import connection

from .stack import ROOT
from .steps import Line


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def verdict(line: Line) -> str:
    if line.passed is None:
        return ""
    return "PASS" if line.passed else "FAIL"


def table(lines: Sequence[Line]) -> str:
    """The lines as an aligned plain-text table (also the one docs/performance.md keeps)."""
    header = ("step", "measure", "value", "unit", "floor", "ratio", "target", "")
    rows = [header] + [
        (
            line.step,
            line.measure,
            _number(line.value),
            line.unit,
            _number(line.floor),
            f"{line.ratio:.0%}" if line.ratio is not None else "-",
            line.target,
            verdict(line),
        )
        for line in lines
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    rendered = []
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(width) if column in (2, 4, 5) else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        rendered.append("  ".join(cells).rstrip())
        if number == 0:
            rendered.append("  ".join("-" * width for width in widths))
    return "\n".join(rendered)


def markdown(lines: Sequence[Line]) -> str:
    """The lines as a Markdown table."""
    out = [
        "| Step | Measure | Value | Floor | Ratio | Target | |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for line in lines:
        ratio = f"{line.ratio:.0%}" if line.ratio is not None else ""
        floor = _number(line.floor) if line.floor is not None else ""
        out.append(
            f"| {line.step} | {line.measure} | {_number(line.value)} {line.unit} | {floor} "
            f"| {ratio} | {line.target} | {verdict(line)} |"
        )
    return "\n".join(out)


def _git(*arguments: str) -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["git", *arguments],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> dict[str, Any]:
    """Facts of the machine and the services the figures were measured on."""
    memory = 0
    try:
        for entry in Path("/proc/meminfo").read_text().splitlines():
            if entry.startswith("MemTotal:"):
                memory = int(entry.split()[1]) * 1024
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        database = str(cursor.fetchone()[0])
    return {
        "cpus": os.cpu_count(),
        "memory_bytes": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "database": database,
        "load_average": list(os.getloadavg()),
    }


def results(
    lines: Sequence[Line], *, parameters: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "commit": _git("rev-parse", "HEAD"),
        "commit_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "machine": machine(),
        "parameters": parameters,
        "data": data,
        "lines": [line.as_json() for line in lines],
        "passed": sum(1 for line in lines if line.passed is True),
        "failed": sum(1 for line in lines if line.passed is False),
    }


def write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
