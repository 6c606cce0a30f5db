"""gunicorn settings for Station: ``gunicorn -c python:station.serving 'station:create_app()'``.

Each worker warms itself up (``station.warmup``) after loading the app and before it
accepts a request, then moves every object made so far (the app, its modules, the
compiled templates and statements) out of the garbage collector's reach: a full
collection then scans only what requests made, not the ~200,000 objects of a loaded app
(each such collection took 60-80 ms of a request), as Python's ``gc.freeze`` documents for
forking servers. Other settings come from the command line as usual.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from station.warmup import warm

log = logging.getLogger(__name__)


def post_worker_init(worker: Any) -> None:
    """gunicorn's hook: the worker has loaded the app (``worker.wsgi``) and takes no request yet."""
    warm(worker.wsgi)
    gc.collect()
    gc.freeze()
    log.info("%d objects kept out of garbage collection", gc.get_freeze_count())
