"""Rich results as IPython builds them, mapped onto the protocol's bundle keys.

Objects are formatted by IPython's own DisplayFormatter, so every _repr_*_ method and _repr_mimebundle_
works as in Jupyter. On top of it: matplotlib figures (png + e2b chart, published by plt.show() and after
each cell like the inline backend), a DataFrame's `data`, and display() routed to the running cell.
"""

import base64
import builtins
import datetime
import io
import math

import IPython.core.display_functions
import IPython.display
import matplotlib.pyplot as plt
import numpy
import pandas
import PIL.Image
from IPython.core.display_functions import DisplayHandle
from IPython.core.formatters import DisplayFormatter
from matplotlib._pylab_helpers import Gcf
from matplotlib.figure import Figure

import runtime_log
import tracebacks
from charts import chart_of_figure

_BUNDLE_KEYS = {
    "text/plain": "text",
    "text/html": "html",
    "text/markdown": "markdown",
    "image/svg+xml": "svg",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "application/pdf": "pdf",
    "text/latex": "latex",
    "application/json": "json",
    "application/javascript": "javascript",
}
_BINARY_KEYS = {"png", "jpeg", "pdf"}

# A DataFrame bigger than this gets no `data` (its text and html are truncated by pandas anyway): the
# frame would take seconds to build and tens of MiB on the wire.
_MAX_DATA_CELLS = 1_000_000

# Created once in the zygote: building it costs milliseconds, formatting with it microseconds.
_FORMATTER = DisplayFormatter()


def _json_value(value):
    """value as plain JSON data: NaN/NaT/NA -> null, numpy scalars -> numbers, dates -> ISO strings."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if value is pandas.NaT or value is pandas.NA:
        return None
    if isinstance(value, (numpy.datetime64, numpy.timedelta64)):
        return None if numpy.isnat(value) else str(value)
    if isinstance(value, numpy.generic):
        return _json_value(value.item())
    if isinstance(value, numpy.ndarray):
        return _json_value(value.tolist())
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _base64(value):
    """Binary MIME data travels as base64; a str is taken to be base64 already (IPython's convention)."""
    return value if isinstance(value, str) else base64.b64encode(value).decode("ascii")


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else str(value)


def _bundle_of_mimes(data):
    """A {mime: value} dict (IPython's format data) as a protocol bundle; unknown MIME types go to `extra`."""
    bundle, extra = {}, {}
    for mime, value in data.items():
        key = _BUNDLE_KEYS.get(mime)
        if key in _BINARY_KEYS:
            bundle[key] = _base64(value)
        elif key == "json":
            bundle[key] = _json_value(value)
        elif key is not None:
            bundle[key] = _text(value)
        else:
            extra[mime] = _base64(value) if isinstance(value, (bytes, bytearray)) else _json_value(value)
    if extra:
        bundle["extra"] = extra
    return bundle


def _dataframe_data(frame):
    """e2b's `data` of a DataFrame: {column: [values]}, index left out."""
    return {str(column): [_json_value(item) for item in series.tolist()] for column, series in frame.items()}


def _chart(figure):
    try:
        return chart_of_figure(figure)
    except Exception:
        runtime_log.log_exception("chart extraction failed; the figure is published without a chart")
        return None


def _figure_bundle(figure):
    """What the inline backend shows for a figure (png only when it has content), plus its chart. Closes it,
    so a figure is published once however it got there."""
    try:
        bundle = {"text": repr(figure)}
        if figure.axes or figure.lines:
            png = io.BytesIO()
            figure.savefig(png, format="png", bbox_inches="tight")
            bundle["png"] = _base64(png.getvalue())
            chart = _chart(figure)
            if chart is not None:
                bundle["chart"] = chart
        return bundle
    finally:
        plt.close(figure)


def _bundle_of(obj, include=None, exclude=None):
    """The bundle of obj, or None when there is nothing to show (its _ipython_display_ took over)."""
    if isinstance(obj, Figure):
        return _figure_bundle(obj)
    data, _ = _FORMATTER.format(obj, include=include, exclude=exclude)
    if not data:
        return None
    bundle = _bundle_of_mimes(data)
    if isinstance(obj, pandas.DataFrame) and obj.size <= _MAX_DATA_CELLS:
        bundle["data"] = _dataframe_data(obj)
    return bundle


def _clear_output(wait=False):
    """The protocol cannot take back earlier output, and IPython without a frontend would print escape codes."""


class RichDisplay:
    def __init__(self, publish):
        """publish(bundle, main) sends one result of the running cell."""
        self._publish = publish

    def install(self):
        """Routes IPython's display API, the display builtin and pyplot's show() here, before any cell runs,
        so `from IPython.display import display` in a cell gets ours."""
        for module in (IPython.core.display_functions, IPython.display):
            module.display = self.display
            module.publish_display_data = self.publish_display_data
            module.clear_output = _clear_output
        builtins.display = self.display
        plt.show = self.show_figures

        def show_one(figure, warn=True):
            self._publish_figure(figure)

        Figure.show = show_one

    def show_result(self, value):
        """The cell's main result."""
        bundle = _bundle_of(value)
        if bundle:
            self._publish(bundle, True)

    def display(self, *objs, include=None, exclude=None, metadata=None, transient=None, display_id=None,
                raw=False, clear=False, **kwargs):
        """IPython.display.display (same signature; metadata, transient, clear and updates have no protocol
        equivalent): each object becomes a result with main=false."""
        for obj in objs:
            bundle = _bundle_of_mimes(obj) if raw else _bundle_of(obj, include, exclude)
            if bundle:
                self._publish(bundle, False)
        if display_id:
            return DisplayHandle(None if display_id is True else display_id)
        return None

    def publish_display_data(self, data, metadata=None, source=None, *, transient=None, **kwargs):
        self._publish(_bundle_of_mimes(data), False)

    def show_figures(self, *args, **kwargs):
        """pyplot.show(): every open figure becomes a result (and is closed)."""
        for manager in Gcf.get_all_fig_managers():
            self._publish_figure(manager.canvas.figure)

    def flush_figures(self):
        """After a cell, as the inline backend does: figures left open are published, then all are closed.
        A figure that fails to render gets its traceback on stderr; the cell's error is already decided."""
        try:
            for manager in Gcf.get_all_fig_managers():
                try:
                    self._publish_figure(manager.canvas.figure)
                except Exception as exc:
                    tracebacks.print_to_stderr(exc)
        finally:
            plt.close("all")

    def _publish_figure(self, figure):
        self._publish(_figure_bundle(figure), False)


def warm_up():
    """Pays once in the zygote what each child would pay on its first figure, table or image
    (font loading, lazy imports, formatter caches)."""
    figure, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1], [1, 0], label="line")
    left.set_title("title")
    left.set_xlabel("time (s)")
    left.legend()
    right.bar(["a", "b"], [1, 2])
    _figure_bundle(figure)
    _bundle_of(pandas.DataFrame({"x": [1.5, None], "t": pandas.to_datetime(["2024-01-01", None])}))
    _bundle_of(PIL.Image.new("RGB", (2, 2)))
