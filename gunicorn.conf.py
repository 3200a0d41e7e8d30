"""Gunicorn settings for `make run` and `make bench` (one place for the production server's options).

Every value can be overridden from the environment without editing this file:

- ``QMSS_PORT`` (default 8000) and ``QMSS_BIND`` (default ``127.0.0.1:$QMSS_PORT``) – where to listen;
- ``QMSS_WORKERS`` (default 3) and ``QMSS_THREADS`` (default 2) – worker processes and threads per process;
- ``QMSS_ACCESS_LOG`` – a file for the access log, or ``-`` for the terminal (default: off);
- ``QMSS_ERROR_LOG`` – the error log (default ``$QMSS_VAR_DIR/gunicorn.log``, i.e. ``var/gunicorn.log``);
- ``QMSS_TIMEOUT`` (default 120 s) – a request (an XLSX export of the whole registry, an upload) may take long.

Several worker processes share one SQLite database safely: the settings open it in WAL mode with IMMEDIATE
write transactions and a 20 s busy timeout, so readers never wait for the background worker's import.
"""

import os
from pathlib import Path

_var_dir = Path(os.environ.get("QMSS_VAR_DIR") or Path(__file__).resolve().parent / "var")
_var_dir.mkdir(parents=True, exist_ok=True)

wsgi_app = "qmss.wsgi:application"
bind = [os.environ.get("QMSS_BIND") or f"127.0.0.1:{os.environ.get('QMSS_PORT') or '8000'}"]
# 3 x 2 measured best of 2-4 workers x 1-4 threads for `make bench` throughput on a 2-core machine (the
# catalogue served from its fragment cache); the differences between 3x2, 3x4 and 4x2 were within the noise.
workers = int(os.environ.get("QMSS_WORKERS") or 3)
threads = int(os.environ.get("QMSS_THREADS") or 2)
worker_class = "gthread"
timeout = int(os.environ.get("QMSS_TIMEOUT") or 120)
graceful_timeout = 10
keepalive = 5
# Recycle a worker now and then so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200

accesslog = os.environ.get("QMSS_ACCESS_LOG") or None
errorlog = os.environ.get("QMSS_ERROR_LOG") or str(_var_dir / "gunicorn.log")
loglevel = os.environ.get("QMSS_LOG_LEVEL", "info")
proc_name = "qmss"
# Heartbeat files in memory rather than on a possibly slow disk (where the system has /dev/shm).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
