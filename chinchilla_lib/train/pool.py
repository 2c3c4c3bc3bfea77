"""The local process pool of a sweep: workers that never outlive it, and a stop that ends them at once.

Each worker is started by :func:`_worker_start`, which ties its life to the sweep's process
(the kernel's parent-death signal on Linux, and a thread watching the parent everywhere), so
even a sweep killed with SIGKILL leaves no worker behind; :func:`_stop_pool` ends the workers
of a sweep that stops (Ctrl-C, SIGTERM, an error) without waiting for their runs.  With a Dask
scheduler the runs go to its workers instead, which the cluster owns.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import time

__all__: list[str] = []

#: Seconds between a worker's checks that the process that started it is still there.
_PARENT_CHECK_SECONDS = 1.0


def _watch_parent(parent: int) -> None:
    """End this process as soon as its parent is no longer ``parent`` (it ended, and the process was handed on)."""
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(_PARENT_CHECK_SECONDS)


def _worker_start(parent: int) -> None:
    """Set up a worker of the local pool so that it never outlives the sweep that started it.

    On Linux the kernel kills the worker when its parent ends (``prctl(PR_SET_PDEATHSIG,
    SIGKILL)``, even when the parent is killed with SIGKILL); everywhere a daemon thread ends
    it within :data:`_PARENT_CHECK_SECONDS` of the parent's end.  Ctrl-C at a terminal reaches
    the whole process group: the worker ignores SIGINT and leaves the stop to the parent.
    """
    import signal
    import sys
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # no prctl in this C library: the thread below still watches
            pass
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _executor(workers: int, scheduler: str | None):
    if scheduler is None:
        import multiprocessing

        return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_worker_start, initargs=(os.getpid(),)), None
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("--scheduler needs dask's distributed package: pip install 'chinchilla_lib[dask]'") from None
    client = Client(scheduler)
    return client.get_executor(pure=False), client


def _stop_pool(executor: cf.ProcessPoolExecutor) -> None:
    """Cancel the runs not started and end every worker now (SIGTERM, then SIGKILL after 2 s)."""
    import signal
    import threading

    main = threading.current_thread() is threading.main_thread()
    held = {}
    if main:  # a second Ctrl-C must not cut the stop short
        held = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + 2.0
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)
    finally:
        for s, handler in held.items():
            signal.signal(s, handler)
