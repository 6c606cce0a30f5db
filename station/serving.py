"""gunicorn settings for Station: ``gunicorn -c python:station.serving 'station:create_app()'``.

Each worker warms itself up (``station.warmup``) after loading the app and before it
accepts a request. Other settings come from the command line as usual.
"""

from __future__ import annotations

from typing import Any

from station.warmup import warm


def post_worker_init(worker: Any) -> None:
    """gunicorn's hook: the worker has loaded the app (``worker.wsgi``) and takes no request yet."""
    warm(worker.wsgi)
