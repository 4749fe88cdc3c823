"""The packaged handler's world for the benchmarks: the unzipped package, the runtime's
libraries, moto (S3 remote env, Secrets Manager), an HTTPS JWKS for Cognito-shaped tokens,
API Gateway events, and a clean interpreter to run bench/lambda_probe.py in.

Mirrors deploy/tests (conftest.py, events.py, test_handler.py), copied, not imported.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

from bench.common import BENCH_DB, ROOT

PACKAGE = ROOT / "dist" / "marquee-production.zip"
PROBE = Path(__file__).with_name("lambda_probe.py")
OVERLAY = Path(__file__).with_name("overlay")
# The interpreter itself, not a pyenv shim or the venv's launcher.
PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
RUNTIME_LIBS = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")
REGION = "eu-west-3"
STAGE_HOST = f"a1b2c3d4e5.execute-api.{REGION}.amazonaws.com"
PUBLIC_HOST = "tickets.example.com"
REDIS_URL = "redis://127.0.0.1:6379/13"
CONFIG_BUCKET = "marquee-production-config-eu-west-3"
ISSUER = "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_BENCH"
CLIENT_ID = "bench-app-client"
KID = "bench-key-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rest_v1(method: str, path: str, *, headers: dict | None = None,
            body: str | None = None) -> dict:
    """REST API proxy event (payload 1.0), as API Gateway sends it; `path` excludes the stage."""
    hdrs = {"Accept": "application/json", "Host": STAGE_HOST,
            "User-Agent": "Mozilla/5.0 marquee-bench",
            "X-Amzn-Trace-Id": "Root=1-5e1b4151-5ac6c58f5a3b4c7e8f9a0b1c",
            "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Port": "443",
            "X-Forwarded-Proto": "https", **(headers or {})}
    return {
        "resource": "/{proxy+}", "path": path, "httpMethod": method, "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")}, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "a1b2c3d4e5", "domainName": STAGE_HOST,
            "httpMethod": method, "path": f"/production{path}", "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "marquee-bench"},
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "resourcePath": "/{proxy+}",
            "stage": "production", "requestTimeEpoch": 1795608000000,
        },
        "body": body, "isBase64Encoded": False,
    }


class LambdaWorld:
    """Set up once per `make bench`; `run(mode, config)` runs one fresh handler process."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.package = workdir / "var-task"
        self.runtime = workdir / "var-runtime"
        self._procs: list[subprocess.Popen] = []
        self._servers: list[http.server.HTTPServer] = []
        self._n = 0

    # ------------------------------------------------------------ set up
    def start(self) -> None:
        with zipfile.ZipFile(PACKAGE) as zf:
            zf.extractall(self.package)
        self.runtime.mkdir()
        site = Path(next(p for p in sys.path if p.endswith("site-packages")))
        for name in RUNTIME_LIBS:
            (self.runtime / name).symlink_to(site / name)
        self._start_moto()
        self._start_jwks()
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()

    def _start_moto(self) -> None:
        port = free_port()
        moto = Path(sys.executable).with_name("moto_server")
        self._procs.append(subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)],
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
        self.moto_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        import boto3

        session = boto3.session.Session(aws_access_key_id="testing",
                                        aws_secret_access_key="testing",  # noqa: S106 — moto
                                        region_name=REGION)
        s3 = session.client("s3", endpoint_url=self.moto_url)
        for bucket in (CONFIG_BUCKET, "marquee-bench-static", "marquee-bench-media"):
            s3.create_bucket(Bucket=bucket,
                             CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket=CONFIG_BUCKET, Key="production.json",
                      Body=json.dumps({"DJANGO_SECRET_KEY": "remote-env-" + "k" * 50}))
        secrets = session.client("secretsmanager", endpoint_url=self.moto_url)
        self.secret_arn = secrets.create_secret(Name="marquee/production/db", SecretString=(
            json.dumps({"username": "postgres", "password": "unused", "engine": "postgres",
                        "host": "127.0.0.1", "port": 5432})))["ARN"]

    def _start_jwks(self) -> None:
        """An RSA key for tokens, its JWKS served over HTTPS (the verifier insists) with a
        self-signed certificate the handler trusts through SSL_CERT_FILE."""
        import ipaddress

        import jwt
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        jwks = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]})

        tls_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(tls_key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(hours=1))
                .not_valid_after(now + dt.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(tls_key, hashes.SHA256()))
        self.cert_file = self.workdir / "jwks-cert.pem"
        key_file = self.workdir / "jwks-key.pem"
        self.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(tls_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))

        class Jwks(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = jwks.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers.append(server)
        self.jwks_url = f"https://127.0.0.1:{server.server_address[1]}/jwks.json"

    def variant_without_remote_env(self) -> tuple[Path, dict[str, str]]:
        """zappa_settings.py with REMOTE_ENV=None (to put before the package) and the env
        that then carries the secret key: what skipping the S3 remote env would save."""
        variant = self.workdir / "variant-no-remote-env"
        variant.mkdir(exist_ok=True)
        source = (self.package / "zappa_settings.py").read_text()
        (variant / "zappa_settings.py").write_text(
            re.sub(r"^REMOTE_ENV=.*$", "REMOTE_ENV=None", source, flags=re.M))
        return variant, {"DJANGO_SECRET_KEY": "lambda-env-" + "k" * 50}

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
        for proc in self._procs:
            proc.terminate()
            proc.wait(timeout=10)

    # ------------------------------------------------------------ use
    def token(self, sub: str) -> str:
        import jwt

        now = int(time.time())
        return jwt.encode({"sub": sub, "iss": ISSUER, "client_id": CLIENT_ID,
                           "token_use": "access", "iat": now, "exp": now + 3600,
                           "jti": str(uuid.uuid4())},
                          self.signing_key, algorithm="RS256", headers={"kid": KID})

    def env(self, *, overlay: bool) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "TZ", "HOME"}}
        return {
            **base,
            "LAMBDA_TASK_ROOT": str(self.package),
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_LAMBDA_FUNCTION_NAME": "marquee-production",
            # zappa_settings.json's aws_environment_variables, pointed at local services.
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:5432/{BENCH_DB}",
            "DATABASE_SECRET_ARN": self.secret_arn,
            "REDIS_URL": REDIS_URL,
            "ALLOWED_HOSTS": f"{PUBLIC_HOST},{STAGE_HOST}",
            "CSRF_TRUSTED_ORIGINS": f"https://{PUBLIC_HOST}",
            "STATIC_BUCKET": "marquee-bench-static",
            "STATIC_URL": f"https://{PUBLIC_HOST}/static/",
            "MEDIA_BUCKET": "marquee-bench-media",
            "COGNITO_ISSUER": ISSUER, "COGNITO_CLIENT_IDS": CLIENT_ID,
            "COGNITO_JWKS_URL": self.jwks_url,
            "SSL_CERT_FILE": str(self.cert_file),
            # Throttles still run (a Redis round trip each), they just never refuse.
            "THROTTLE_ANON_RATE": "1000000/min", "THROTTLE_USER_RATE": "1000000/min",
            "THROTTLE_RESERVATIONS_RATE": "1000000/min",
            "LOG_LEVEL": "WARNING",
            **({"DJANGO_SETTINGS_MODULE": "bench_lambda.settings"} if overlay else {}),
        }

    def run(self, mode: str, config: dict, *, overlay: bool = False,
            python_flags: tuple[str, ...] = (), prepend: Path | None = None,
            extra_env: dict[str, str] | None = None, timeout: int = 300) -> dict:
        """One fresh handler process; its results, plus wall_ms (spawn to exit),
        to_response_ms (spawn to first response, cold mode) and stderr."""
        self._n += 1
        config_file = self.workdir / f"config-{self._n}.json"
        results_file = self.workdir / f"results-{self._n}.json"
        config_file.write_text(json.dumps(config))
        spawned_at = time.time()
        started = time.perf_counter()
        proc = subprocess.run(
            [PYTHON, "-I", "-S", *python_flags, str(PROBE), mode, str(self.package),
             str(self.runtime), str(OVERLAY) if overlay else "-", str(config_file),
             str(results_file), *([str(prepend)] if prepend else [])],
            env={**self.env(overlay=overlay), **(extra_env or {})}, capture_output=True,
            text=True, timeout=timeout, check=False)
        wall_ms = (time.perf_counter() - started) * 1000
        if proc.returncode != 0:
            raise RuntimeError(f"handler process failed ({proc.returncode}):\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
        results = json.loads(results_file.read_text())
        results["wall_ms"] = wall_ms
        if "responded_at" in results:
            results["to_response_ms"] = (results["responded_at"] - spawned_at) * 1000
        results["stderr"] = proc.stderr
        return results


def make_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="marquee-bench-"))

