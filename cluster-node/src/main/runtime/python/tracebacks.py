"""User errors as Python prints them, minus the runtime's own frames.

The reported exception was caught by the runtime, so its traceback starts in the runtime: it is shown from
the first frame of a cell on (what came before is the runtime, or asyncio driving a top-level await), and
not at all without one (an interrupt while awaiting). Chained exceptions (cause, context) were caught
wherever the user's code or a library caught them and keep all their frames. Frames of this directory (e.g.
the input() replacement) never show. What remains is in the standard format of this Python.
"""

import os
import sys
import traceback

import limit_hints

_RUNTIME_DIR = os.path.dirname(__file__)


def _is_cell(frame):
    return frame.filename.startswith("<cell-")


def _user_stack(stack, caught_by_runtime):
    frames = list(stack)
    if caught_by_runtime:
        frames = frames[next((i for i, frame in enumerate(frames) if _is_cell(frame)), len(frames)):]
    return traceback.StackSummary.from_list(
        [frame for frame in frames if os.path.dirname(frame.filename) != _RUNTIME_DIR])


def _trim(report):
    """Applies _user_stack to a report and every exception chained to it (cause, context, group members)."""
    pending, seen = [report], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.stack = _user_stack(current.stack, current is report)
        pending.extend(nested for nested in (current.__cause__, current.__context__) if nested is not None)
        pending.extend(current.exceptions or ())


def lines_of(exc):
    """The traceback of exc as Python would print it, one line per item, without newlines."""
    report = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
    _trim(report)
    return "".join(report.format()).splitlines()


def error_fields(exc):
    """name, value and traceback of an error frame."""
    try:
        value = str(exc)
    except Exception:
        value = "<exception str() failed>"
    note = limit_hints.hint(exc)
    if note:
        value = f"{value} [codeshard limit: {note}]".lstrip()
    return {"name": type(exc).__qualname__, "value": value, "traceback": lines_of(exc)}


def print_to_stderr(exc):
    """For errors that are not the cell's own (a figure that fails to render after the cell), as IPython prints them."""
    sys.stderr.write("\n".join(lines_of(exc)) + "\n")
