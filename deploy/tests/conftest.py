"""Fixtures for the deployment tests: moto (in-process or as a server), the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dist" / "marquee-production.zip"
# What the Lambda python3.12 runtime provides besides the standard library.
RUNTIME_LIBS = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


@pytest.fixture
def aws_env(monkeypatch):
    """Dummy credentials and region; no test may reach AWS."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)




@pytest.fixture(scope="session")
def lambda_package(tmp_path_factory) -> Path:
    """dist/marquee-production.zip (built by `make package`), unzipped like /var/task."""
    if not PACKAGE.exists():
        pytest.fail(f"{PACKAGE.relative_to(ROOT)} is missing: run `make package` "
                    "(`make test` does it first)")
    task = tmp_path_factory.mktemp("var-task")
    with zipfile.ZipFile(PACKAGE) as zf:
        zf.extractall(task)
    return task


@pytest.fixture(scope="session")
def lambda_runtime(tmp_path_factory) -> Path:
    """The runtime's own libraries (boto3 & co.), linked from this virtualenv."""
    runtime = tmp_path_factory.mktemp("var-runtime")
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    for name in RUNTIME_LIBS:
        (runtime / name).symlink_to(site / name)
    return runtime


def run_lambda(package: Path, runtime: Path, steps: list, env: dict, tmp_path: Path,
               timeout: int = 120) -> dict:
    """Run the packaged handler through `steps` in a fresh, isolated interpreter."""
    steps_file, results_file = tmp_path / "steps.json", tmp_path / "results.json"
    steps_file.write_text(json.dumps(steps))
    base_env = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "TZ", "HOME"}}
    proc = subprocess.run(
        [sys._base_executable, "-I", "-S", str(Path(__file__).with_name("lambda_runner.py")),
         str(package), str(runtime), str(steps_file), str(results_file)],
        env={**base_env, "LAMBDA_TASK_ROOT": str(package), **env},
        capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"handler process failed ({proc.returncode}):\n"
                             f"{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    results = json.loads(results_file.read_text())
    results["stdout"], results["stderr"] = proc.stdout, proc.stderr
    return results
