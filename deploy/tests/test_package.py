"""deploy/package.py's artifact checks: a good zip passes, each kind of bad zip fails."""

from __future__ import annotations

import ast
import importlib.util
import marshal
import re
import struct
import zipfile
from pathlib import Path

import pytest

from deploy import package

from .conftest import PACKAGE, ROOT

SETTINGS = ("DEBUG=False\nLOG_LEVEL='INFO'\nENVIRONMENT_VARIABLES={'AWS_REGION': 'eu-west-3'}\n"
            "DJANGO_SETTINGS='project.settings.production'\n")
SOURCE = "VALUE = 1\n"


def pyc(source: str, *, flags: int = 1, magic: bytes | None = None) -> bytes:
    """A .pyc for `source`: unchecked-hash (flags 1) unless told otherwise."""
    code = compile(source, "<test>", "exec")

    header = (magic or importlib.util.MAGIC_NUMBER) + struct.pack("<I", flags) + b"\0" * 8
    return header + marshal.dumps(code)


def elf(machine: int = 62, bits: int = 2) -> bytes:
    data = bytearray(64)
    data[:4] = b"\x7fELF"
    data[4] = bits
    data[18:20] = machine.to_bytes(2, "little")
    return bytes(data)


def module(name: str, source: str = SOURCE) -> dict[str, bytes]:
    directory, _, filename = name.rpartition("/")
    cache = f"{directory}/__pycache__/{filename[:-3]}.cpython-312.pyc"
    return {name: source.encode(), cache: pyc(source)}


def good_files() -> dict[str, bytes]:
    files = {"zappa_settings.py": SETTINGS.encode(),
             "__pycache__/zappa_settings.cpython-312.pyc": pyc(SETTINGS),
             "manage.py": SOURCE.encode(), "__pycache__/manage.cpython-312.pyc": pyc(SOURCE),
             "zappa/handler.pyc": pyc(SOURCE), "django/__init__.pyc": pyc(SOURCE),
             "snapshot_restore_py.pyc": pyc(SOURCE),
             "psycopg2/_psycopg.cpython-312-x86_64-linux-gnu.so": elf(),
             "nh3/nh3.abi3.so": elf()}
    files.update(module("project/lambda_handler.py"))
    files.update(module("project/settings/production.py"))
    return files


def make_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def problems_of(tmp_path: Path, files: dict[str, bytes], **limits) -> list[str]:
    return package.check_artifact(make_zip(tmp_path / "x.zip", files),
                                  package.Limits(**limits)).problems


def test_a_good_artifact_passes(tmp_path):
    assert problems_of(tmp_path, good_files()) == []


BAD = {
    "another Python": ({"cryptography/_rust.cpython-311-x86_64-linux-gnu.so": elf()},
                       "another Python or platform"),
    "macOS wheel": ({"psycopg2/_psycopg.cpython-312-darwin.so": elf()},
                    "another Python or platform"),
    "not ELF": ({"nh3/nh3.abi3.so": b"\xcf\xfa\xed\xfe" + b"\0" * 60}, "not a Linux ELF"),
    "arm64 ELF": ({"rpds/rpds.abi3.so": elf(machine=183)}, "not x86_64"),
    "32-bit ELF": ({"rpds/rpds.abi3.so": elf(bits=1)}, "not 64-bit"),
    "AWS key in code": ({"project/keys.py": b"KEY = 'AKIAABCDEFGHIJKLMNOP'\n"},
                        "secret (AWS access key id)"),
    # The marker is assembled so that this file itself does not look like it holds a key.
    "private key": ({"project/k.json": b"-----BEGIN RSA " + b"PRIVATE KEY-----\n" + b"A" * 64},
                    "secret (private key)"),
    "dotenv file": ({".env": b"X=1"}, "secret-looking file"),
    "pem file": ({"certs/server.pem": b"x"}, "secret-looking file"),
    "tests": ({**module("shows/tests/test_api.py")}, "tests shipped"),
    "pytest": ({"_pytest/__init__.pyc": pyc(SOURCE)}, "dev/deploy tool"),
    "boto3": ({"boto3/__init__.pyc": pyc(SOURCE)}, "dev/deploy tool"),
    "deploy scripts": ({**module("deploy/release.py")}, "dev/deploy tool"),
    "timestamp pyc": ({"project/extra.py": SOURCE.encode(),
                       "project/__pycache__/extra.cpython-312.pyc": pyc(SOURCE, flags=0)},
                      "would not use"),
    "pyc of another Python": ({"project/extra.py": SOURCE.encode(),
                               "project/__pycache__/extra.cpython-312.pyc":
                               pyc(SOURCE, magic=b"\xa7\r\r\n")}, "would not use"),
    "no pyc": ({"project/extra.py": SOURCE.encode()}, "have no .pyc"),
    "legacy pyc beside source": ({"project/extra.py": SOURCE.encode(),
                                  "project/__pycache__/extra.cpython-312.pyc": pyc(SOURCE),
                                  "project/extra.pyc": pyc(SOURCE)}, "legacy .pyc"),
    "debug": ({"zappa_settings.py": SETTINGS.replace("DEBUG=False", "DEBUG=True").encode()},
              "DEBUG"),
    "secret env var": ({"zappa_settings.py": SETTINGS.replace(
        "'AWS_REGION': 'eu-west-3'", "'DJANGO_SECRET_KEY': 'abc'").encode()},
        "secret-looking environment variable DJANGO_SECRET_KEY"),
    "password in URL": ({"zappa_settings.py": SETTINGS.replace(
        "'AWS_REGION': 'eu-west-3'", "'DATABASE_URL': 'postgres://u:hunter2@db/x'").encode()},
        "carries a password"),
    "websocket": ({"zappa_settings.py": (SETTINGS + "WEBSOCKET_HANDLER_MODULE='x.y'\n")
                   .encode()}, "WEBSOCKET_HANDLER_MODULE"),
}


@pytest.mark.parametrize("extra, expected", BAD.values(), ids=BAD.keys())
def test_a_bad_artifact_fails(tmp_path, extra, expected):
    files = {**good_files(), **extra}
    problems = problems_of(tmp_path, files)
    assert any(expected in p for p in problems), problems


def test_missing_handler_fails(tmp_path):
    files = good_files()
    del files["project/lambda_handler.py"]
    assert "missing: project/lambda_handler.py" in problems_of(tmp_path, files)


def test_size_limits(tmp_path):
    files = {**good_files(), "big.bin": bytes(range(256)) * 8000}
    problems = problems_of(tmp_path, files, zipped_mb=0.01, unzipped_mb=1.0)
    assert any(p.startswith("size: zipped") for p in problems)
    assert any(p.startswith("size: unzipped") for p in problems)


def test_cli_prints_figures_and_fails_on_problems(tmp_path, capsys):
    bad = make_zip(tmp_path / "bad.zip", {**good_files(), ".env": b"X=1"})
    assert package.main(["--check-only", str(bad)]) == 1
    out = capsys.readouterr()
    assert "MB zipped" in out.out and "PROBLEM" in out.err
    good = make_zip(tmp_path / "good.zip", good_files())
    assert package.main(["--check-only", str(good)]) == 0


def test_lambda_requirements_leave_out_the_runtime_and_tooling():
    names = {r.split("==")[0].lower() for r in package.lambda_requirements()}
    assert {"django", "werkzeug", "snapshot-restore-py", "psycopg2-binary"} <= names
    assert not names & {"boto3", "botocore", "zappa", "pytest", "moto"}


@pytest.mark.skipif(not PACKAGE.exists(), reason="run `make package` first")
def test_the_built_package_passes_its_checks():
    report = package.check_artifact(PACKAGE)
    assert report.problems == []
    assert report.zipped_bytes <= 30e6  # the budget (issue 23: printable tickets)
    assert package.Limits().zipped_mb == 30.0
    with zipfile.ZipFile(PACKAGE) as zf:
        names = set(zf.namelist())
        header = zf.read("project/__pycache__/lambda_handler.cpython-312.pyc")[:8]
    assert not any(n.startswith(("boto3/", "botocore/", "zappa/cli")) for n in names)
    # Our code keeps its sources; the bytecode beside it is what Python loads.
    assert header[4:8] == b"\x01\0\0\0"  # unchecked-hash: no source timestamp compared
    # Our apps keep their sources (readable tracebacks), payments included.
    assert {"payments/keys.py", "project/checks.py"} <= names


# ------------------------------------------------------------------ trimmed parts

def _runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import not guarded by `if TYPE_CHECKING:`."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for branch in child.orelse:
                    visit(branch)
                continue
            if isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.extend((child.lineno, f"{child.module}.{a.name}") for a in child.names)
            elif isinstance(child, ast.Import):
                found.extend((child.lineno, a.name) for a in child.names)
            visit(child)

    visit(tree)
    return found


# The two places stripe imports stripe.events at run time: both parse API-v2 events
# (`api_mode == "V2" and object == "v2.core.event"`, and `parse_event_notification`).
STRIPE_V2_EVENT_SITES = {"stripe/_util.py", "stripe/v2/core/_event.py"}


def test_trimmed_stripe_modules_are_never_imported_at_run_time():
    """package.UNUSED_PARTS drops stripe/params and stripe/events: outside themselves,
    the shipped stripe imports them only for type checkers, or to parse API-v2 events."""
    import stripe

    pinned = re.search(r"^stripe==(\S+)", (ROOT / "requirements/base.txt").read_text(), re.M)
    assert pinned.group(1) == stripe.VERSION, "scan the stripe version that ships"
    site = Path(stripe.__file__).parents[1]
    dropped = tuple(part.rstrip("/").replace("/", ".") for part in package.UNUSED_PARTS)
    offending = []
    for path in sorted((site / "stripe").rglob("*.py")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(package.UNUSED_PARTS):
            continue
        for line, module in _runtime_imports(ast.parse(path.read_text(), rel)):
            if module.startswith(dropped) and rel not in STRIPE_V2_EVENT_SITES:
                offending.append(f"{rel}:{line} imports {module}")
    assert offending == []
    # Our code never reaches them either (stripe.params.X / stripe.events.X at run time).
    for app in ("payments", "tickets", "project"):
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts:
                continue
            text = path.read_text()
            assert not re.search(r"stripe\.(params|events)\b", text), path
            assert "parse_event_notification" not in text, path


def test_trims_drop_only_what_they_name():
    drop = package._drop
    for rel in ("stripe/params/_payment_intent_create_params.py", "stripe/events/__init__.py",
                "stripe/params", "yaml/_yaml.cpython-312-x86_64-linux-gnu.so",
                "charset_normalizer/md.cpython-312-x86_64-linux-gnu.so",
                "django-5.2.19.dist-info/RECORD",
                # the runtime's own, installed only as django-ses's dependencies
                "boto3-1.44.8.dist-info/METADATA", "botocore/__init__.py", "jmespath/ast.py",
                "dateutil/tz/tz.py", "python_dateutil-2.9.0.post0.dist-info/METADATA",
                "six.pyc", "s3transfer-0.19.3.dist-info/WHEEL"):
        assert drop(Path(rel)), rel
    for rel in ("stripe/_payment_intent.py", "stripe/_webhook.py", "stripe/v2/__init__.py",
                "stripe/data/ca-certificates.crt", "stripe/_event.py", "yaml/__init__.py",
                "charset_normalizer/md.py", "django-5.2.19.dist-info/METADATA",
                "cryptography/hazmat/bindings/_rust.abi3.so", "payments/keys.py",
                "urllib3/__init__.py", "urllib3-2.8.0.dist-info/METADATA",
                "django_ses/__init__.py", "sixteen/__init__.py"):
        assert not drop(Path(rel)), rel


@pytest.mark.skipif(not PACKAGE.exists(), reason="run `make package` first")
def test_the_package_keeps_stripe_working_parts():
    with zipfile.ZipFile(PACKAGE) as zf:
        names = set(zf.namelist())
    assert not any(n.startswith(("stripe/params/", "stripe/events/")) for n in names)
    # stripe verifies TLS with its own CA bundle (stripe.ca_bundle_path), not certifi's.
    assert {"stripe/data/ca-certificates.crt", "stripe/_webhook.pyc",
            "stripe/_payment_intent.pyc", "stripe/_refund.pyc", "stripe/_stripe_client.pyc",
            "requests/__init__.pyc", "charset_normalizer/md.pyc", "yaml/__init__.pyc"} <= names
    assert not any(n.endswith(".dist-info/RECORD") for n in names)
    assert any(n.endswith(".dist-info/METADATA") for n in names)  # importlib.metadata
