"""The renderers' fork server stays quiet when the build that uses it is stopped mid-start.

Imported only by the fork server (runner.PRELOAD): when SIGTERM or Ctrl-C ends the build just as
the server starts a child, the child reads a truncated request from its dead parent and
multiprocessing prints the traceback through `sys.excepthook`. That is no error of the report's and
the build has already said why it stopped, so those exceptions are dropped; any other keeps the
default report.
"""

from __future__ import annotations

import pickle
import sys
from types import TracebackType

# What a child of the fork server meets when its parent is gone before the request arrived.
PARENT_GONE = (EOFError, pickle.UnpicklingError, BrokenPipeError, ConnectionResetError)


def _hook(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
    if issubclass(kind, PARENT_GONE):
        return
    sys.__excepthook__(kind, value, trace)


sys.excepthook = _hook
