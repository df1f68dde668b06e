"""gunicorn settings for an app server (docs/deployment.md).

Start with: gunicorn -c deploy/gunicorn.conf.py wsgi:app
Each value can be overridden from the environment (GUNICORN_BIND, WEB_CONCURRENCY …).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core plus one: the app waits on PostgreSQL for much of each request.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Monthly PDFs and workbooks of a province take seconds; nothing should take a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The access log carries nginx's request id, so one request can be followed through both.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = (
    '%(h)s %({x-request-id}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
)


def post_worker_init(worker):
    """Warm each worker before it takes requests (corrections.warm_up_worker)."""
    from flask import Flask

    from corrections import warm_up_worker

    if isinstance(getattr(worker, "wsgi", None), Flask):
        warm_up_worker(worker.wsgi)


# Prometheus counts of all workers are summed through this folder (docs/operations.md).
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):

    def child_exit(server, worker):  # noqa: ARG001
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
