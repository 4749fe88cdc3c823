"""`python -X importtime` of the packaged handler's init, summed per top-level package.

Self time summed over every module of a top-level package is what that package costs the
init phase wherever it is imported from; the first importer says who pulls it in.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict

INIT = "project.lambda_handler"
LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


def parse(stderr: str) -> tuple[dict[str, float], dict[str, str]]:
    """ms of self time per top-level package, and the module that first imported each."""
    entries = []
    for line in stderr.splitlines():
        m = LINE.match(line)
        if m:
            entries.append((int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2,
                            m.group(4)))
    per_package: dict[str, float] = defaultdict(float)
    for self_us, _, _, name in entries:
        # The entry module's own time is init work (Zappa's LambdaHandler: remote env from
        # S3, django.setup(), the URL resolver), not imports: kept apart.
        key = f"{INIT} (its body: init work)" if name == INIT else name.split(".")[0]
        per_package[key] += self_us / 1000
    # importtime prints a module after its children: the importer of entry i is the
    # next entry with a smaller depth.
    importer: dict[str, str] = {}
    for i, (_, _, depth, name) in enumerate(entries):
        top = name.split(".")[0]
        for _, _, d, parent in entries[i + 1:]:
            if d < depth:
                if parent.split(".")[0] != top:
                    importer.setdefault(top, parent)
                break
        else:
            importer.setdefault(top, "(top level: the init body or the first request)")
    return dict(per_package), importer


def top(runs: list[str], n: int = 10) -> list[tuple[str, float, str]]:
    """The n costliest top-level packages: (name, median ms over runs, first importer)."""
    parsed = [parse(r) for r in runs]
    names = set().union(*(p for p, _ in parsed))
    medians = {name: statistics.median(p.get(name, 0.0) for p, _ in parsed) for name in names}
    importers = parsed[0][1]
    ranked = sorted(medians.items(), key=lambda kv: -kv[1])[:n]
    return [(name, ms, importers.get(name, "?")) for name, ms in ranked]


# Imported at init or on the first request, and what to do with each (bench/RESULTS.md).
CANDIDATES = ("zappa.handler", "boto3", "asyncio", "werkzeug", "redis", "jwt",
              "cryptography.x509", "project.schema", "drf_spectacular.plumbing", "yaml",
              "markdown", "nh3", "segno", "storages.backends.s3", "psycopg2")


def cumulative(runs: list[str], names: tuple[str, ...] = CANDIDATES) -> dict[str, float]:
    """Median cumulative ms of the first import of each named module: what importing it
    (with whatever it brings that was not loaded yet) costs where it happens."""
    found: dict[str, list[float]] = defaultdict(list)
    for stderr in runs:
        seen = set()
        for line in stderr.splitlines():
            m = LINE.match(line)
            if m and m.group(4) in names and m.group(4) not in seen:
                seen.add(m.group(4))
                found[m.group(4)].append(int(m.group(2)) / 1000)
    return {name: statistics.median(found[name]) for name in names if found.get(name)}
