"""`python -X importtime` of the packaged handler's init, summed per top-level package.

Self time summed over every module of a top-level package is what that package costs the
init phase wherever it is imported from; the first importer says who pulls it in.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict

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
        per_package[name.split(".")[0]] += self_us / 1000
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
            importer.setdefault(top, "(init)")
    return dict(per_package), importer


def top(runs: list[str], n: int = 10) -> list[tuple[str, float, str]]:
    """The n costliest top-level packages: (name, median ms over runs, first importer)."""
    parsed = [parse(r) for r in runs]
    names = set().union(*(p for p, _ in parsed))
    medians = {name: statistics.median(p.get(name, 0.0) for p, _ in parsed) for name in names}
    importers = parsed[0][1]
    ranked = sorted(medians.items(), key=lambda kv: -kv[1])[:n]
    return [(name, ms, importers.get(name, "?")) for name, ms in ranked]
