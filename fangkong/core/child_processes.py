"""Worker processes that never outlive the process that started them.

A process pool's workers (the resident import checks rows in a ``ProcessPoolExecutor``) wait
for tasks on a pipe their parent writes to. Each worker holds a copy of the pipe's write end
too, so when the parent is killed (``kill -9``, the OOM killer, a web worker recycled by its
server, ``db_worker`` stopped hard) no end-of-file ever wakes them: they would wait for good,
each holding its memory. ``watch_parent`` makes a worker exit when its parent dies:

* On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker when the thread
  that started it ends. SIGKILL rather than SIGTERM because a forked worker inherits its
  parent's signal handlers (``db_worker`` catches SIGTERM to finish its task first), and a
  worker holds nothing that needs cleaning up: it touches no database and no file.
* Everywhere, and as a second line on Linux: a daemon thread that checks ``os.getppid()``
  twice a second. A process whose parent has died is handed to another (init, a subreaper),
  so a changed parent id means the parent is gone, and the worker ends itself.

Both are set before the worker takes its first task, and the parent id is checked once more
after ``prctl``: a parent that died in between would otherwise go unnoticed by the kernel.

This module imports nothing of Django's at load: a spawned worker unpickles its initializer
(``start_worker``) before Django is set up.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

#: From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1
#: How often the portable watcher looks at the parent id, in seconds.
POLL_SECONDS = 0.5
#: The exit status of a worker that ended because its parent died.
ORPHANED_EXIT = 70


def _kernel_kills_orphan() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        # dlopen(NULL): the running program and the C library it links, where prctl lives.
        libc = ctypes.CDLL(None, use_errno=True)
        status: int = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return status == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    stop = threading.Event()
    while not stop.wait(POLL_SECONDS):
        if os.getppid() != parent_pid:
            os._exit(ORPHANED_EXIT)  # the whole process, at once: nothing of its is worth saving


def watch_parent(parent_pid: int) -> None:
    """End this process soon after ``parent_pid``, its parent, dies (see the module's doc)."""
    _kernel_kills_orphan()
    if os.getppid() != parent_pid:
        os._exit(ORPHANED_EXIT)  # the parent died before the kernel was told to watch it
    threading.Thread(target=_watch, args=(parent_pid,), name="watch-parent", daemon=True).start()


def start_worker(parent_pid: int, setup_django: bool = False) -> None:
    """A pool worker's initializer: watch the parent, then (spawned workers) set Django up.

    Watching comes first: setting Django up takes seconds, and a parent may die meanwhile.
    """
    watch_parent(parent_pid)
    if setup_django:
        import django

        django.setup()
