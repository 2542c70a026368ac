"""Runs cells with IPython's semantics on a lean executor (InteractiveShell.run_cell costs milliseconds a cell).

* One persistent namespace, installed as sys.modules["__main__"] so pickle and multiprocessing find what
  cells define.
* If the last statement is an expression its value is the cell's result; a trailing ";" hides it and
  None shows nothing.
* Top-level await runs on one event loop that lives as long as the child, so tasks survive across cells.
* Each cell is registered in linecache as <cell-N>, so tracebacks and warnings show its lines.
* `from __future__` imports carry over to later cells, as in the REPL.
"""

import __future__
import ast
import asyncio
import builtins
import contextlib
import getpass
import inspect
import io
import linecache
import sys
import types

from IPython.core.error import StdinNotImplementedError

import interrupts

_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


def _no_stdin(*args, **kwargs):
    """Replaces input() and getpass(): reading fd 0 (/dev/null) would fail obscurely, waiting would hang."""
    raise StdinNotImplementedError(
        "code contexts have no interactive stdin: input() and getpass() cannot be answered; "
        "put the data in the code, a file or an environment variable instead")


class CellRunner:
    def __init__(self, show_value):
        """show_value(value) publishes the result of a cell's last expression (never None)."""
        main = types.ModuleType("__main__")
        main.__builtins__ = builtins
        sys.modules["__main__"] = main
        self._namespace = main.__dict__
        self._show_value = show_value
        self._flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        self._loop = None
        builtins.input = getpass.getpass = _no_stdin

    def run(self, code, cell_id):
        """Runs one cell; returns the exception that ended it (SyntaxError and KeyboardInterrupt included) or None."""
        filename = f"<cell-{cell_id}>"
        lines = io.StringIO(code, newline=None).readlines()
        linecache.cache[filename] = (len(code), None, lines, filename)
        try:
            with interrupts.UserCode():
                tree = compile(code, filename, "exec", self._flags | ast.PyCF_ONLY_AST, dont_inherit=True)
                statements, last = self._split(tree.body, lines)
                self._run(self._compile(ast.Module(statements, []), filename, "exec"))
                if last is not None:
                    value = self._run(self._compile(ast.Expression(last.value), filename, "eval"))
                    if value is not None:
                        self._show_value(value)
        except BaseException as exc:
            return exc
        return None

    @staticmethod
    def _split(body, lines):
        """The statements to execute and the final expression to evaluate, if the cell shows one."""
        if body and isinstance(body[-1], ast.Expr):
            last = body[-1]
            # IPython's rule: a ";" right after the last expression silences it. Offsets are UTF-8 bytes.
            rest = lines[last.end_lineno - 1].encode()[last.end_col_offset:]
            if not rest.lstrip().startswith(b";"):
                return body[:-1], last
        return body, None

    def _compile(self, tree, filename, mode):
        try:
            code = compile(tree, filename, mode, self._flags, dont_inherit=True)
        except SyntaxError as e:
            # Errors found after parsing ('return' outside function...) come without the source line.
            if e.text is None and e.lineno:
                e.text = linecache.getline(filename, e.lineno)
            raise
        self._flags |= code.co_flags & _FUTURE_FLAGS
        return code

    def _run(self, code):
        if code.co_flags & inspect.CO_COROUTINE:
            return self._run_async(eval(code, self._namespace))
        return eval(code, self._namespace)

    def _run_async(self, coroutine):
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)  # asyncio.run() in a cell resets the current loop
        task = self._loop.create_task(coroutine)
        try:
            return self._loop.run_until_complete(task)
        except BaseException:
            if not task.done():
                # Interrupted while awaiting: cancel the cell's task rather than let a later cell resume it.
                task.cancel()
                with contextlib.suppress(BaseException):
                    self._loop.run_until_complete(task)
            elif not task.cancelled():
                task.exception()  # mark it retrieved: the caller reports it as the cell's error
            raise
