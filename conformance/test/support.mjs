// Shared by the conformance tests of both clients (cloudflare.test.mjs, e2b.test.mjs).
// Keep this API small and stable: gatewayUrl, uniqueId, chartFigures, withoutTicks.
import { randomUUID } from 'node:crypto';

/** The codeshard gateway under test, without a trailing slash (ConformanceTest sets CODESHARD_URL). */
export const gatewayUrl = (process.env.CODESHARD_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** A fresh id, valid as a codeshard sandbox id (1-64 of [A-Za-z0-9_-]), so that tests do not share state. */
export function uniqueId(prefix = 't') {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A chart without its tick arrays (x_ticks, x_tick_labels, y_ticks, y_tick_labels), also in the charts of a
 * superchart: tick values depend on matplotlib's locators, so tests compare the rest exactly and ticks by shape.
 */
export function withoutTicks(chart) {
  if (chart === null || typeof chart !== 'object') {
    return chart;
  }
  const { x_ticks, x_tick_labels, y_ticks, y_tick_labels, ...rest } = chart;
  if (rest.type === 'superchart' && Array.isArray(rest.elements)) {
    rest.elements = rest.elements.map(withoutTicks);
  }
  return rest;
}

/**
 * matplotlib figures and the exact `chart` object (WIRE.md §C, e2b's schema) each gives as the wire carries it,
 * without tick arrays: compare `withoutTicks(actual)` with `chart`. The same figures and values as cluster-node's
 * ChartTest. Each code shows exactly one figure (plt.show()).
 */
export const chartFigures = {
  bar: {
    code: 'import matplotlib.pyplot as plt\nfig, ax = plt.subplots(); ax.bar(["A","B","C"], [10, 20, 15], label="Sales"); '
      + 'ax.set_title("Sales"); ax.set_xlabel("Product"); ax.set_ylabel("Units (pcs)"); plt.show()',
    chart: {
      type: 'bar', title: 'Sales',
      elements: [
        { label: 'A', group: 'Sales', value: 10 },
        { label: 'B', group: 'Sales', value: 20 },
        { label: 'C', group: 'Sales', value: 15 },
      ],
      x_label: 'Product', y_label: 'Units (pcs)', x_unit: null, y_unit: 'pcs',
    },
  },
  line: {
    code: 'import matplotlib.pyplot as plt\nimport pandas as pd\nd = pd.date_range("2024-01-01", periods=3, freq="D")\n'
      + 'fig, ax = plt.subplots(); ax.plot(d, [1, 3, 2], label="temp"); ax.set_title("Temps"); plt.show()',
    chart: {
      type: 'line', title: 'Temps',
      elements: [{ label: 'temp', points: [['2024-01-01T00:00:00', 1], ['2024-01-02T00:00:00', 3], ['2024-01-03T00:00:00', 2]] }],
      x_label: null, y_label: null, x_unit: null, y_unit: null, x_scale: 'datetime', y_scale: 'linear',
    },
  },
  pie: {
    code: 'import matplotlib.pyplot as plt\nfig, ax = plt.subplots(); ax.pie([30, 20, 50], labels=["a","b","c"]); ax.set_title("Share"); plt.show()',
    chart: {
      type: 'pie', title: 'Share',
      elements: [
        { label: 'a', angle: 108, radius: 1 },
        { label: 'b', angle: 72, radius: 1 },
        { label: 'c', angle: 180, radius: 1 },
      ],
    },
  },
  box_and_whisker: {
    code: 'import matplotlib.pyplot as plt\nfig, ax = plt.subplots(); ax.boxplot([[78, 85, 88, 90, 92], '
      + '[76, 84, 88, 90.5, 95, 84.75, 88], [75, 79, 82, 86, 88]], labels=["Class A", "Class B", "Class C"], patch_artist=True); '
      + 'ax.set_title("Exam Scores Distribution"); ax.set_xlabel("Class"); ax.set_ylabel("Score"); plt.show()',
    chart: {
      type: 'box_and_whisker', title: 'Exam Scores Distribution',
      elements: [
        { label: 'Class A', min: 78, first_quartile: 85, median: 88, third_quartile: 90, max: 92, outliers: [] },
        { label: 'Class B', min: 84, first_quartile: 84.375, median: 88, third_quartile: 89.25, max: 95, outliers: [76] },
        { label: 'Class C', min: 75, first_quartile: 79, median: 82, third_quartile: 86, max: 88, outliers: [] },
      ],
      x_label: 'Class', y_label: 'Score', x_unit: null, y_unit: null,
    },
  },
  scatter: {
    code: 'import matplotlib.pyplot as plt\nfig, ax = plt.subplots(); ax.scatter([1,2,3],[4,5,6], label="pts"); plt.show()',
    chart: {
      type: 'scatter', title: null,
      elements: [{ label: 'pts', points: [[1, 4], [2, 5], [3, 6]] }],
      x_label: null, y_label: null, x_unit: null, y_unit: null, x_scale: 'linear', y_scale: 'linear',
    },
  },
  superchart: {
    code: 'import matplotlib.pyplot as plt\nfig, (a1, a2) = plt.subplots(1, 2); fig.suptitle("Super"); '
      + 'a1.plot([0, 1, 2], [1, 2, 0]); a2.bar(["x", "y"], [3, 5]); plt.show()',
    chart: {
      type: 'superchart', title: 'Super',
      elements: [
        {
          type: 'line', title: null,
          elements: [{ label: 'Line 0', points: [[0, 1], [1, 2], [2, 0]] }],
          x_label: null, y_label: null, x_unit: null, y_unit: null, x_scale: 'linear', y_scale: 'linear',
        },
        {
          type: 'bar', title: null,
          elements: [{ label: 'x', group: 'Group 0', value: 3 }, { label: 'y', group: 'Group 0', value: 5 }],
          x_label: null, y_label: null, x_unit: null, y_unit: null,
        },
      ],
    },
  },
  unknown: {
    code: 'import matplotlib.pyplot as plt\nfig, ax = plt.subplots(); ax.add_patch(plt.Circle((0.5, 0.5), 0.2)); '
      + 'ax.add_patch(plt.Circle((0.2, 0.2), 0.1)); ax.set_title("Circles"); plt.show()',
    chart: { type: 'unknown', title: 'Circles', elements: [] },
  },
};
