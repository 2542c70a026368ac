"""Turn a matplotlib Figure into the e2b ``chart`` object (WIRE.md section C).

The only public entry point is :func:`chart_of_figure`.  The result is a plain,
``json.dumps``-able dict (only str / float / int / bool / None / list / dict
inside, never NaN or infinity) or ``None`` when the figure holds no data.

The semantics follow e2b's chart extraction (the ``e2b_charts`` package that
the e2b code-interpreter sandbox uses), including its quirks, because clients
test against that behaviour:

* one axes -> one chart; more than one axes -> a ``superchart`` whose title is
  the figure's suptitle ("" when there is none) and whose elements are the
  charts of every axes (colorbars included);
* the type of an axes is decided from its children minus Text artists:
  all Line2D -> line; all PathPatch/Line2D -> box_and_whisker; (after dropping
  two-point horizontal/vertical lines) all PathCollection -> scatter; all
  Wedge -> pie; all Rectangle -> bar; else unknown;
* a chart whose extraction fails (e2b would hand out an empty chart) gives
  ``None`` here.

Field order in every dict is the declaration order of e2b's models.
"""

import math
import re
from datetime import date
from decimal import Context, Decimal, ROUND_HALF_EVEN

import numpy as np
import matplotlib.dates as _mdates
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle, Wedge
from matplotlib.text import Text

__all__ = ["chart_of_figure"]

# matplotlib's own converter for date / datetime / datetime64 data.  Only this
# one makes an axis a "datetime" axis (pandas' own converters do not).
_DATE_CONVERTER = getattr(_mdates, "_SwitchableDateConverter", None)

# "Time (s)" -> "s", "Amplitude [Hz]" -> "Hz"
_UNIT_RE = re.compile(r"\s\((.*?)\)|\[(.*?)\]")

# Context for Decimal arithmetic (pie angles, box sizes): Python's default
# context, fixed so that user code changing decimal.getcontext() has no effect.
_DEFAULT_DECIMAL = Context(prec=28, rounding=ROUND_HALF_EVEN)


class _Unsupported(Exception):
    """A value e2b could not have validated: the chart is dropped."""


# ---------------------------------------------------------------------------
# value helpers
# ---------------------------------------------------------------------------

def _finite(value):
    """float(value), with NaN / infinity / masked turned into None."""
    if value is np.ma.masked:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _Unsupported(repr(value))
    if math.isnan(number) or math.isinf(number):
        return None
    return number


def _dynamic_round(number):
    """Round to 8 - exponent significant digits (e2b's dynamic_round); a Decimal."""
    decimal_number = Decimal(str(number))
    precision = max(1, 8 - decimal_number.adjusted())
    return Context(prec=precision, rounding=ROUND_HALF_EVEN).plus(decimal_number)


def _point_value(value):
    """One coordinate of a line / scatter point: ISO string for dates, else a float."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[s]").astype(str))
    return _finite(value)


def _point_list(data):
    """Convert the x or y data of a line / offsets column into JSON values."""
    if isinstance(data, np.ndarray) and not isinstance(data, np.ma.MaskedArray):
        kind = data.dtype.kind
        if kind in "iufb":
            values = data.astype(np.float64, copy=False)
            if np.isfinite(values).all():
                return values.tolist()
            return [v if math.isfinite(v) else None for v in values.tolist()]
        if kind == "M":
            return data.astype("datetime64[s]").astype(str).tolist()
    if isinstance(data, np.ma.MaskedArray) and data.dtype.kind in "iufb":
        values = np.ma.filled(data.astype(np.float64), np.nan)
        return [v if math.isfinite(v) else None for v in values.tolist()]
    return [_point_value(v) for v in data]


def _tick_to_json(value):
    """A non-date tick that e2b kept as it came (not converted to float)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return _finite(value)


def _text_or_none(text):
    return text if text else None


def _unit_of(label):
    if not label:
        return None
    match = _UNIT_RE.search(label)
    if not match:
        return None
    return match.group(1) or match.group(2)


def _converter_of(axis):
    getter = getattr(axis, "get_converter", None)
    if getter is not None:
        return getter()
    return getattr(axis, "converter", None)


def _is_date_converter(converter):
    return _DATE_CONVERTER is not None and isinstance(converter, _DATE_CONVERTER)


def _is_grid_line(line):
    xs = line.get_xdata()
    if len(xs) != 2:
        return False
    ys = line.get_ydata()
    if len(ys) != 2:
        return False
    return bool(xs[0] == xs[1] or ys[0] == ys[1])


def _children(ax):
    children = getattr(ax, "_children", None)
    if children is not None:
        return list(children)
    return (list(ax.lines) + list(ax.patches) + list(ax.collections)
            + list(ax.images) + list(ax.artists) + list(ax.texts) + list(ax.tables))


# ---------------------------------------------------------------------------
# chart builders
# ---------------------------------------------------------------------------

def _base(chart_type, ax):
    return {
        "type": chart_type,
        "title": _text_or_none(ax.get_title()),
        "elements": [],
    }


def _chart_2d(chart_type, ax):
    chart = _base(chart_type, ax)
    x_label = _text_or_none(ax.get_xlabel())
    y_label = _text_or_none(ax.get_ylabel())
    chart["x_label"] = x_label
    chart["y_label"] = y_label
    chart["x_unit"] = _unit_of(x_label)
    chart["y_unit"] = _unit_of(y_label)
    return chart


def _swap_orientation(chart):
    chart["x_label"], chart["y_label"] = chart["y_label"], chart["x_label"]
    chart["x_unit"], chart["y_unit"] = chart["y_unit"], chart["x_unit"]


def _raw_ticks(converter, ticks):
    """e2b's tick list: ISO strings on date axes, floats, or the ticks as they are."""
    if _is_date_converter(converter):
        return [_mdates.num2date(tick).isoformat() for tick in ticks]
    first = ticks[0]  # no ticks at all: e2b fails, and so do we
    if isinstance(first, (int, float)):
        return [float(tick) for tick in ticks]
    return list(ticks)


def _detect_scale(converter, scale, ticks, labels):
    if _is_date_converter(converter):
        return "datetime"
    if scale != "linear":
        return scale
    for index, (tick, label) in enumerate(zip(ticks, labels)):
        if isinstance(tick, (int, float)) and tick == index and str(index) != label:
            continue
        return "linear"
    return "categorical"


def _axis_info(ax, which):
    axis = ax.xaxis if which == "x" else ax.yaxis
    if which == "x":
        labels = [label.get_text() for label in ax.get_xticklabels()]
        raw = _raw_ticks(_converter_of(axis), ax.get_xticks())
        scale = ax.get_xscale()
    else:
        labels = [label.get_text() for label in ax.get_yticklabels()]
        raw = _raw_ticks(_converter_of(axis), ax.get_yticks())
        scale = ax.get_yscale()
    scale = _detect_scale(_converter_of(axis), scale, raw, labels)
    ticks = [tick if isinstance(tick, str) else _tick_to_json(tick) for tick in raw]
    return ticks, labels, scale


def _point_chart(chart_type, ax):
    chart = _chart_2d(chart_type, ax)
    x_ticks, x_labels, x_scale = _axis_info(ax, "x")
    y_ticks, y_labels, y_scale = _axis_info(ax, "y")
    chart["x_ticks"] = x_ticks
    chart["x_tick_labels"] = x_labels
    chart["x_scale"] = x_scale
    chart["y_ticks"] = y_ticks
    chart["y_tick_labels"] = y_labels
    chart["y_scale"] = y_scale
    return chart


def _points(xs, ys):
    return [[x, y] for x, y in zip(_point_list(xs), _point_list(ys))]


def _line_chart(ax):
    chart = _point_chart("line", ax)
    for line in ax.get_lines():
        if _is_grid_line(line):
            continue
        label = str(line.get_label())
        if label.startswith("_child"):
            label = "Line %d" % int(label[6:])
        chart["elements"].append({
            "label": label,
            "points": _points(line.get_xdata(), line.get_ydata()),
        })
    return chart


def _scatter_chart(ax):
    chart = _point_chart("scatter", ax)
    for collection in ax.collections:
        offsets = collection.get_offsets()
        if isinstance(offsets, np.ndarray) and offsets.ndim == 2 and offsets.shape[1] == 2:
            points = _points(offsets[:, 0], offsets[:, 1])
        else:
            points = [[_point_value(x), _point_value(y)] for x, y in offsets]
        chart["elements"].append({
            "label": str(collection.get_label()),
            "points": points,
        })
    return chart


def _bar_chart(ax):
    chart = _chart_2d("bar", ax)
    for container in ax.containers:
        group = str(container.get_label())
        if group.startswith("_container"):
            group = "Group %d" % int(group[10:])
        heights = [rect.get_height() for rect in container]
        if all(height == heights[0] for height in heights):
            # equal heights: taken as horizontal bars (e2b does this for every
            # container, so the swap happens once per such container)
            _swap_orientation(chart)
            labels = [label.get_text() for label in ax.get_yticklabels()]
            values = [rect.get_width() for rect in container]
        else:
            labels = [label.get_text() for label in ax.get_xticklabels()]
            values = heights
        for label, value in zip(labels, values):
            chart["elements"].append({
                "label": label,
                "group": group,
                "value": _finite(value),
            })
    return chart


def _pie_chart(ax):
    chart = _base("pie", ax)
    for wedge in ax.patches:
        difference = _DEFAULT_DECIMAL.subtract(
            Decimal(float(wedge.theta2)), Decimal(float(wedge.theta1)))
        angle = _dynamic_round(difference).copy_abs()
        chart["elements"].append({
            "label": str(wedge.get_label()),
            "angle": _finite(angle),
            "radius": _finite(wedge.r),
        })
    return chart


def _right(box):
    return _DEFAULT_DECIMAL.add(box["x"], box["width"])


def _top(box):
    return _DEFAULT_DECIMAL.add(box["y"], box["height"])


def _box_chart(ax):
    chart = _chart_2d("box_and_whisker", ax)
    labels = [label.get_text() for label in ax.get_xticklabels()]

    boxes = []
    for label, patch in zip(labels, ax.patches):
        vertices = patch.get_path().vertices
        xs = [_dynamic_round(x) for x in vertices[:, 0]]
        ys = [_dynamic_round(y) for y in vertices[:, 1]]
        x0 = min(xs)
        y0 = min(ys)
        boxes.append({
            "x": x0,
            "y": y0,
            "label": label,
            "width": _DEFAULT_DECIMAL.subtract(max(xs), x0),
            "height": _DEFAULT_DECIMAL.subtract(max(ys), y0),
            "outliers": [],
        })

    # e2b: boxes of one height are "vertical" and get x and y swapped
    swapped = all(box["height"] == boxes[0]["height"] for box in boxes)
    if swapped:
        _swap_orientation(chart)
        for box in boxes:
            box["x"], box["y"] = box["y"], box["x"]
            box["width"], box["height"] = box["height"], box["width"]

    for line in ax.lines:
        xdata = [_dynamic_round(x) for x in line.get_xdata()]
        ydata = [_dynamic_round(y) for y in line.get_ydata()]
        if swapped:
            xdata, ydata = ydata, xdata

        if len(xdata) == 1:
            owner = None
            for box in boxes:
                if box["x"] <= xdata[0] <= _right(box):
                    owner = box
                    break
            if owner is None:
                continue
            owner["outliers"].append(ydata[0])
        if len(ydata) != 2:
            continue

        owner = None
        for box in boxes:
            if box["x"] <= xdata[0] <= xdata[1] <= _right(box):
                owner = box
                break
        if owner is None:
            continue

        if ydata[0] == ydata[1] and owner["y"] <= ydata[0] <= _top(owner):
            owner["median"] = ydata[0]
            continue

        lower = min(ydata)
        upper = max(ydata)
        if upper == owner["y"]:
            owner["whisker_lower"] = lower
        elif lower == _top(owner):
            owner["whisker_upper"] = upper

    for box in boxes:
        # a box without a found whisker or median makes e2b fail (KeyError)
        chart["elements"].append({
            "label": box["label"],
            "min": _finite(box["whisker_lower"]),
            "first_quartile": _finite(box["y"]),
            "median": _finite(box["median"]),
            "third_quartile": _finite(_top(box)),
            "max": _finite(box["whisker_upper"]),
            "outliers": [_finite(value) for value in box["outliers"]],
        })
    return chart


def _type_of(ax):
    objects = [obj for obj in _children(ax) if not isinstance(obj, Text)]
    if all(isinstance(obj, Line2D) for obj in objects):
        return "line"
    if all(isinstance(obj, (PathPatch, Line2D)) for obj in objects):
        return "box_and_whisker"
    objects = [obj for obj in objects
               if not (isinstance(obj, Line2D) and _is_grid_line(obj))]
    if all(isinstance(obj, PathCollection) for obj in objects):
        return "scatter"
    if all(isinstance(obj, Wedge) for obj in objects):
        return "pie"
    if all(isinstance(obj, Rectangle) for obj in objects):
        return "bar"
    return "unknown"


_BUILDERS = {
    "line": _line_chart,
    "scatter": _scatter_chart,
    "bar": _bar_chart,
    "pie": _pie_chart,
    "box_and_whisker": _box_chart,
}


def _chart_of_axes(ax):
    chart_type = _type_of(ax)
    builder = _BUILDERS.get(chart_type)
    if builder is None:
        return _base("unknown", ax)
    return builder(ax)


def _suptitle(fig):
    getter = getattr(fig, "get_suptitle", None)
    if getter is not None:
        return getter()
    text = getattr(fig, "_suptitle", None)
    return "" if text is None else text.get_text()


def chart_of_figure(fig):
    """The e2b chart dict of a matplotlib Figure, or None when it has no data.

    None is also returned when the figure cannot be described (where e2b
    would return an empty chart).
    """
    try:
        axes = fig.get_axes()
        if not axes or not any(ax.has_data() for ax in axes):
            return None
        if len(axes) > 1:
            return {
                "type": "superchart",
                "title": _suptitle(fig),
                "elements": [_chart_of_axes(ax) for ax in axes],
            }
        return _chart_of_axes(axes[0])
    except Exception:
        return None
