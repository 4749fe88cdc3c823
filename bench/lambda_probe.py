"""Runs inside a clean interpreter (`python -I -S`) the way Lambda runs the package, like
deploy/tests/lambda_runner.py: the unzipped package first on sys.path, then the runtime's
own libraries (boto3), then optionally bench/overlay (the bench-only URLconf).

    python -I -S bench/lambda_probe.py MODE PACKAGE RUNTIME OVERLAY|- CONFIG.json RESULTS.json \
        [PREPEND]

PREPEND, a directory put before the package (a variant's zappa_settings.py, for the
savings experiments; the package itself is never changed).

Modes:
- cold: import the handler (Lambda's init), serve config["event"] once.
- warm: init, then `rounds` rounds; each round runs a batch of each named request in a
  shuffled order and records the mean per request (ms) of each batch.
- snapstart: init, [serve config["prime"]], before-snapshot hooks, after-restore hooks,
  then config["event"]: the time from the end of the hooks to the first response, then the
  same event warm (median of `warm` calls).
config["profile"]: a path; the measured first request runs under cProfile, stats go there.
"""

import json
import sys
import time

started = time.perf_counter()
mode, package_dir, runtime_dir, overlay_dir, config_path, results_path = sys.argv[1:7]
sys.path[:0] = ([*sys.argv[7:8], package_dir, runtime_dir]
                + ([overlay_dir] if overlay_dir != "-" else []))

import os  # noqa: E402

os.chdir(package_dir)
with open(config_path) as f:
    config = json.load(f)


class Context:
    function_name = "marquee-production"
    function_version = "7"
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:marquee-production:live"
    memory_limit_in_mb = "1024"
    log_group_name = "/aws/lambda/marquee-production"
    log_stream_name = "2026/11/25/[7]0123456789abcdef"

    def __init__(self, n):
        self.aws_request_id = f"00000000-0000-4000-8000-{n:012d}"

    def get_remaining_time_in_millis(self):
        return 25_000


_n = iter(range(10**9))
import_started = time.perf_counter()
import project.lambda_handler as entry  # noqa: E402 — Lambda's init phase

init_done = time.perf_counter()
results = {"interpreter_ms": (import_started - started) * 1000,
           "init_ms": (init_done - import_started) * 1000}


def call(event):
    response = entry.lambda_handler(event, Context(next(_n)))
    status = response.get("statusCode")
    if status is None or status >= 400:
        raise SystemExit(f"{event.get('httpMethod')} {event.get('path')}: {response}")
    return response


def profiled(event):
    """call(event); with config["profile"] (a path) under cProfile, stats dumped there."""
    if not config.get("profile"):
        return call(event)
    import cProfile

    profiler = cProfile.Profile()
    try:
        return profiler.runcall(call, event)
    finally:
        profiler.dump_stats(config["profile"])


def hooks(kind):
    import snapshot_restore_py

    found = (snapshot_restore_py.get_before_snapshot() if kind == "before"
             else snapshot_restore_py.get_after_restore())
    for func, args, kwargs in found:
        func(*args, **kwargs)


if mode == "cold":
    t = time.perf_counter()
    profiled(config["event"])
    results["first_ms"] = (time.perf_counter() - t) * 1000
    results["responded_at"] = time.time()  # the parent subtracts its spawn time
elif mode == "warm":
    import random

    shuffle = random.Random(config.get("seed", 1)).shuffle
    requests = config["requests"]  # name -> event, or list of distinct events (POST)
    queues = {name: iter(ev if isinstance(ev, list) else [ev] * 10**6)
              for name, ev in requests.items()}
    for name in requests:  # warm up: connections, caches, lazy imports
        for _ in range(config.get("warmup", 3)):
            call(next(queues[name]))
    samples = {name: [] for name in requests}
    names = list(requests)
    for _ in range(config["rounds"]):
        shuffle(names)
        for name in names:
            batch = [next(queues[name]) for _ in range(config["batch"])]
            t = time.perf_counter()
            for event in batch:
                call(event)
            samples[name].append((time.perf_counter() - t) * 1000 / len(batch))
    results["samples"] = samples
elif mode == "snapstart":
    if config.get("prime"):
        call(config["prime"])
    hooks("before")
    hooks("after")
    t = time.perf_counter()
    profiled(config["event"])
    results["first_after_restore_ms"] = (time.perf_counter() - t) * 1000
    warm = []
    for _ in range(config.get("warm", 20)):
        t = time.perf_counter()
        call(config["event"])
        warm.append((time.perf_counter() - t) * 1000)
    warm.sort()
    results["warm_ms"] = warm[len(warm) // 2]
else:
    raise SystemExit(f"unknown mode {mode}")

with open(results_path, "w") as f:
    json.dump(results, f)
