"""Run the renderers (pandoc, Typst, MkDocs) as child processes that a signal or a time limit can end.

A renderer called in-process holds the thread: a Python signal handler cannot run until it returns,
so Ctrl-C or SIGTERM would wait for a hung Typst or a quadratic regular expression. Here every
renderer runs in a child process; the parent waits in short, interruptible polls, and on a time
limit, Ctrl-C, SIGTERM or any error it kills the child's whole process group before unwinding.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# A renderer that runs longer than this is stuck or fed something pathological.
DEFAULT_TIMEOUT = 600.0


class RendererFailed(Exception):
    """A renderer exited with an error; the message is the renderer's own (stderr)."""


class RendererTimeout(Exception):
    """A renderer ran past its time limit and was stopped."""


# -- interruption ------------------------------------------------------------------------------
# The build's handler of SIGTERM and Ctrl-C records the signal here and raises KeyboardInterrupt.
# Python ignores an exception raised in an at-fork hook (logging registers two, which run in the
# parent around every fork: the exception would only be printed, and the build would go on), so in
# those the handler only records it, and the build raises it at its next safe point
# (`stop_if_interrupted`): after starting each renderer, before each edition and before the swap.
_interrupted: list[int] = []
_FORK_HOOKS = frozenset({"_acquireLock", "_releaseLock"})


def interrupt(signum: int, frame: Any) -> None:
    """A signal handler that stops a build as Ctrl-C does, wherever the signal lands."""
    _interrupted.append(signum)
    if frame is not None and frame.f_code.co_name in _FORK_HOOKS and frame.f_globals.get("__name__") == "logging":
        return
    raise KeyboardInterrupt


def stop_if_interrupted() -> None:
    """Raise the interruption a signal asked for, if it could not be raised where it landed."""
    if _interrupted:
        raise KeyboardInterrupt


def clear_interruption() -> None:
    _interrupted.clear()


PR_SET_PDEATHSIG = 1
_prctl = None  # libc's prctl, looked up in the parent so that a child only calls it


def _die_with_parent() -> None:
    """In a child, before it runs anything: be killed when the builder dies, even by SIGKILL
    (which no handler sees), so no renderer is left running on its own (Linux; elsewhere a no-op)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _prepare() -> None:
    global _prctl
    if _prctl is None and sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # a libc without prctl: no parent-death signal
            _prctl = ctypes.CDLL(None, use_errno=True).prctl


def _kill_group(process: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a child that survives SIGKILL
        log.warning("renderer process %s did not exit after SIGKILL", process.pid)


def run_program(
    args: list[str],
    *,
    input: bytes | None,
    cwd: str | os.PathLike | None,
    timeout: float,
    what: str,
    env: dict[str, str] | None = None,
) -> tuple[bytes, bytes]:
    """Run a program to completion: its standard output and error. Killed on any interruption."""
    log.debug("running %s: %s", what, " ".join(args))
    _prepare()
    process = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=(os.name == "posix"),
        preexec_fn=_die_with_parent if os.name == "posix" else None,
    )
    try:
        stop_if_interrupted()  # a signal that landed while the child was forked
        out, err = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise RendererTimeout(f"{what} ran longer than {timeout:g} s and was stopped") from None
    except BaseException:
        _kill_group(process)
        raise
    if process.returncode != 0:
        raise RendererFailed(err.decode("utf-8", "replace").strip() or f"{what} exited with {process.returncode}")
    return out, err


# What the fork server imports once, so that each child starts with the renderers loaded.
# forkserver_quiet: no traceback from a child whose build was stopped as it started (imported by the server only).
PRELOAD = ["reportkit.render.forkserver_quiet", "reportkit.render.pandoc", "reportkit.build"]


def _context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    """A fork server, not a plain fork: a process that has used Typst (or MkDocs' threads) holds
    thread pools a forked child would wait on for ever; the server never renders, so its children
    start clean, and fast, with the renderers already imported."""
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover


def _child(target: Callable[..., Any], args: tuple, connection) -> None:
    _die_with_parent()
    if os.name == "posix":
        os.setsid()  # its own group, so the parent can end it and whatever it starts
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills the group
    try:
        reply = ("ok", target(*args))
    except BaseException as exc:  # everything goes back to the parent, which decides what it means
        reply = ("error", exc if _picklable(exc) else RendererFailed(f"{type(exc).__name__}: {exc}"))
    try:
        connection.send(reply)
        connection.close()
    except OSError:  # the parent is gone (killed): nobody is left to tell
        os._exit(1)


def _picklable(exc: BaseException) -> bool:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return True
    except Exception:  # noqa: BLE001 - any failure to pickle means: send a plain copy instead
        return False


def run_in_child(target: Callable[..., Any], *args: Any, timeout: float, what: str) -> Any:
    """target(*args) in a child process: its result, or its exception raised here."""
    _prepare()
    context = _context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, args, send), daemon=True)
    process.start()
    send.close()
    deadline = time.monotonic() + timeout
    try:
        stop_if_interrupted()
        while not receive.poll(0.05):
            if not process.is_alive() and not receive.poll(0):
                raise RendererFailed(f"{what} stopped unexpectedly (exit code {process.exitcode})")
            if time.monotonic() > deadline:
                raise RendererTimeout(f"{what} ran longer than {timeout:g} s and was stopped")
        status, value = receive.recv()
    except BaseException:
        _end(process)
        raise
    finally:
        receive.close()
    process.join(5)
    if status == "error":
        raise value
    return value


def _end(process: multiprocessing.process.BaseProcess) -> None:
    if process.pid is not None and os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.join(5)
