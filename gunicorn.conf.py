"""gunicorn's configuration for belegung in production (and for `flask --app belegung
serve`, which passes only its --host/--port/--workers on top).

    gunicorn -c gunicorn.conf.py 'belegung:create_app()'

gunicorn also reads this file by itself when started in this folder. Settings given on
the command line or in GUNICORN_CMD_ARGS win over the values here. Put a reverse proxy
in front (deploy/nginx.conf): it terminates TLS and limits what reaches gunicorn; this
file alone already keeps slow clients from stalling the workers (docs/reliability.md).
"""

from __future__ import annotations

import os

from belegung.serving import (
    ACCESS_LOG_FORMAT,
    clear_metrics,
    metrics_dir,
    one_line_logs,
    remove_metrics,
    worker_gone,
)

wsgi_app = "belegung:create_app()"
# Behind the proxy, on this machine only. `serve` binds its --host/--port instead.
bind = os.environ.get("BELEGUNG_BIND", "127.0.0.1:8000")

# Processes x threads: requests wait for the database, not the CPU. Two workers per core
# is plenty; each thread may hold one database connection (pool: 5 + 10 overflow).
workers = int(os.environ.get("BELEGUNG_WORKERS", "2"))
threads = 8
# Reads each request completely (head and body) before a thread sees it, so that clients
# sending slowly cost no thread (belegung/serving.py).
worker_class = "belegung.serving.BufferingThreadWorker"
# Every request on its own connection: a kept-alive connection's next request would be
# read by a thread again. The proxy keeps the clients' connections alive.
keepalive = 0
# At most this many connections per worker (the slow ones included).
worker_connections = 1000

# A worker that stops answering its master for this long is killed and replaced.
timeout = 30
# On a restart or stop, requests under way get this long to finish.
graceful_timeout = 20
# Workers are replaced now and then (jittered), so nothing accumulates.
max_requests = 5000
max_requests_jitter = 500

# Requests: the request line, the number and size of header fields.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

# Behind a proxy on this machine: trust its X-Forwarded-* (the app counts proxies with
# BELEGUNG_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: the access log without query strings (`?q=` may carry a name) and with escaped
# paths; every other record on one line with the request id.
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logger_class = "belegung.serving.AccessLogger"
loglevel = os.environ.get("BELEGUNG_LOG_LEVEL", "info")
logconfig_dict = one_line_logs(loglevel.upper())

# prometheus-client's multiprocess mode: each worker writes its figures to files in
# PROMETHEUS_MULTIPROC_DIR, /metrics adds them up. Set before a worker starts.
metrics_dir()
on_starting = clear_metrics
child_exit = worker_gone
on_exit = remove_metrics
