"""Cold-start floor, run as `python -I -S bench/floor/cold.py PACKAGE_DIR`: django.setup()
of the floor project (contrib apps + DRF) and one JsonResponse through Django's WSGI handler.

Django and DRF are imported from the unzipped Lambda package, the same precompiled files
the subject imports.
"""

import io
import os
import sys
import time

started = time.perf_counter()
package_dir = sys.argv[1]
sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), package_dir]
os.environ["DJANGO_SETTINGS_MODULE"] = "floorproject.settings"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()  # django.setup()
init_ms = (time.perf_counter() - started) * 1000
environ = {
    "REQUEST_METHOD": "GET", "PATH_INFO": "/floor/", "QUERY_STRING": "", "SCRIPT_NAME": "",
    "SERVER_NAME": "bench.invalid", "SERVER_PORT": "443", "HTTP_HOST": "bench.invalid",
    "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(b""),
    "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
    "wsgi.multiprocess": False, "wsgi.run_once": False,
}
status = []
body = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
assert status[0].startswith("200") and body == b'{"status": "ok"}', (status, body)
print(f'{{"init_ms": {init_ms:.1f}, "total_ms": {(time.perf_counter() - started) * 1000:.1f}, '
      f'"responded_at": {time.time()!r}}}')
