"""Runs inside a clean interpreter (`python -I -S`) the way Lambda runs the package:
/var/task (the unzipped package) first, then the runtime's own libraries (boto3), no
site-packages. Reads steps from a JSON file, writes results to another.

Steps: {"event": {...}} invokes the handler; "before_snapshot" / "after_restore" run the
SnapStart hooks; "probe" reports process state (DB connection, random draw);
"record_call_command" records management commands instead of running them;
{"exec": code} runs test code in the packaged interpreter (its answer in `result`).
"""

import json
import sys
import time

package_dir, runtime_dir, steps_path, results_path = sys.argv[1:5]
sys.path[:0] = [package_dir, runtime_dir]

import os  # noqa: E402

os.chdir(package_dir)


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


import faulthandler  # noqa: E402

faulthandler.dump_traceback_later(float(os.environ.get("RUNNER_DUMP_AFTER", "100")), exit=True)
started = time.perf_counter()
import project.lambda_handler as entry  # noqa: E402 — Lambda's init phase

results = {"init_ms": round((time.perf_counter() - started) * 1000, 1),
           "modules": sorted(m for m in sys.modules if m.split(".")[0] in
                             {"boto3", "botocore", "moto", "pytest", "_pytest", "stripe"}),
           "paths": {m: getattr(sys.modules[m], "__file__", None)
                     for m in ("django", "rest_framework", "zappa", "project")},
           "steps": []}
with open(steps_path) as f:
    steps = json.load(f)
for n, step in enumerate(steps):
    if step == "before_snapshot" or step == "after_restore":
        import snapshot_restore_py

        hooks = (snapshot_restore_py.get_before_snapshot() if step == "before_snapshot"
                 else snapshot_restore_py.get_after_restore())
        for func, args, kwargs in hooks:
            func(*args, **kwargs)
        results["steps"].append({"hooks": [f.__qualname__ for f, _, _ in hooks]})
    elif step == "seed_like_a_snapshot":
        import random

        random.seed(1234)  # every environment restored from one snapshot starts here
        results["steps"].append(None)
    elif step == "record_call_command":
        # Management commands are recorded instead of run: what a scheduled event asks for.
        import django.core.management

        def record(name, *args, **kwargs):
            results.setdefault("call_command", []).append([name, list(args), kwargs])

        django.core.management.call_command = record
        results["steps"].append(None)
    elif isinstance(step, dict) and "exec" in step:
        # Test code run inside the packaged interpreter; it leaves its answer in `result`.
        scope = {"result": None}
        exec(compile(step["exec"], "<step>", "exec"), scope)  # noqa: S102  # nosec B102 — the test's own code
        results["steps"].append(scope["result"])
    elif step == "probe":
        import random

        from django.core.cache import caches
        from django.db import connection

        pools = [len(getattr(getattr(c, "_cache", None), "_pools", {}) or {})
                 for c in caches.all(initialized_only=True)]
        from project import aws

        results["steps"].append({
            "db_connection_open": connection.connection is not None,
            "db_connection_id": id(connection.connection) if connection.connection else None,
            "random": random.random(),
            "aws_clients": sorted(aws._clients),
            "aws_secrets": len(aws._secrets),
            "redis_pools": pools,
        })
    else:
        response = entry.lambda_handler(step["event"], Context(n))
        results["steps"].append(response)

with open(results_path, "w") as f:
    json.dump(results, f, default=str)
