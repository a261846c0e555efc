"""gunicorn settings of a production web process: ``gunicorn lcnc.asgi:application -c
lcnc/gunicorn.conf.py`` (docs/operations.md). Workers are uvicorn's, so the ASGI
application serves HTTP and, through Channels, websockets. Each worker is a process that
runs one request's Django code at a time: count about two per core."""

import multiprocessing
import os

worker_class = "uvicorn_worker.UvicornWorker"
workers = int(os.environ.get("WEB_WORKERS", 2 * multiprocessing.cpu_count()))
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# A worker that answers nothing for this long is replaced; requests are short.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then (any slow leak stays bounded), not all at once.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
