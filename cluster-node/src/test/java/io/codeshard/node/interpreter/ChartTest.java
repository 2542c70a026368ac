package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Language;
import io.codeshard.protocol.ResultBundle;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The e2b {@code chart} object charts.py extracts from matplotlib figures (WIRE.md §C), as it reaches the
 * JVM from a real interpreter. Values are exact; ticks depend on matplotlib's locators and are checked
 * loosely.
 */
class ChartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TICK_FIELDS = List.of("x_ticks", "x_tick_labels", "y_ticks", "y_tick_labels");
    private static final List<String> FIELDS_2D = List.of("x_label", "y_label", "x_unit", "y_unit");

    private static Interpreter interpreter;

    @BeforeAll
    static void open() {
        interpreter = SharedRuntime.open(Language.PYTHON);
        Cell.run(interpreter, "import matplotlib.pyplot as plt\nimport numpy as np").ok();
    }

    @AfterAll
    static void close() {
        if (interpreter != null) {
            interpreter.close();
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Runs code that shows exactly one figure and returns that figure's bundle (a main result, if any, is ignored). */
    private static ResultBundle figure(String code) {
        Cell cell = Cell.run(interpreter, code).ok();
        assertEquals(1, cell.displayed().size(), "exactly one figure: " + describe(cell));
        return cell.displayed().get(0);
    }

    /** The cell's events without the base64 images, for failure messages. */
    private static String describe(Cell cell) {
        return cell.events().toString().replaceAll("png=[A-Za-z0-9+/=]{40,}", "png=<base64>");
    }

    private static JsonNode chart(String code) {
        JsonNode chart = figure(code).chart();
        assertNotNull(chart, "the figure has a chart: " + code);
        return chart;
    }

    /** The chart without its tick values (they depend on matplotlib's locators); checks they are arrays first. */
    private static JsonNode withoutTicks(JsonNode chart) {
        ObjectNode copy = chart.deepCopy();
        for (String field : TICK_FIELDS) {
            assertTrue(copy.has(field), field + " present in " + chart);
            assertTrue(copy.get(field).isArray(), field + " is an array in " + chart);
            copy.remove(field);
        }
        return copy;
    }

    private static void assertDeclared2dFields(JsonNode chart) {
        for (String field : FIELDS_2D) {
            assertTrue(chart.has(field), field + " must be present (null when unknown) in " + chart);
        }
        assertTrue(chart.has("title"), "title present in " + chart);
        assertTrue(chart.get("elements").isArray(), "elements is an array in " + chart);
    }

    private static void assertTicksLineUp(JsonNode chart, String axis) {
        JsonNode ticks = chart.get(axis + "_ticks");
        JsonNode labels = chart.get(axis + "_tick_labels");
        assertTrue(ticks.size() > 0, axis + " ticks in " + chart);
        assertEquals(ticks.size(), labels.size(), axis + " ticks and labels pair up in " + chart);
    }

    // ---------------------------------------------------------------- the measured table

    @Test
    void barChartWithTitleLabelsUnitAndGroup() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.bar([\"A\",\"B\",\"C\"], [10, 20, 15], label=\"Sales\"); "
                + "ax.set_title(\"Sales\"); ax.set_xlabel(\"Product\"); ax.set_ylabel(\"Units (pcs)\"); plt.show()");
        assertEquals(json("{\"type\":\"bar\",\"title\":\"Sales\",\"elements\":["
                + "{\"label\":\"A\",\"group\":\"Sales\",\"value\":10.0},"
                + "{\"label\":\"B\",\"group\":\"Sales\",\"value\":20.0},"
                + "{\"label\":\"C\",\"group\":\"Sales\",\"value\":15.0}],"
                + "\"x_label\":\"Product\",\"y_label\":\"Units (pcs)\",\"x_unit\":null,\"y_unit\":\"pcs\"}"), chart);
        assertDeclared2dFields(chart);
    }

    @Test
    void pieChartAnglesAndRadii() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.pie([30, 20, 50], labels=[\"a\",\"b\",\"c\"]); ax.set_title(\"Share\")");
        assertEquals(json("{\"type\":\"pie\",\"title\":\"Share\",\"elements\":["
                + "{\"label\":\"a\",\"angle\":108.0,\"radius\":1.0},"
                + "{\"label\":\"b\",\"angle\":72.0,\"radius\":1.0},"
                + "{\"label\":\"c\",\"angle\":180.0,\"radius\":1.0}]}"), chart);
    }

    @Test
    void scatterChartWithoutTitleOrLabels() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.scatter([1,2,3],[4,5,6], label=\"pts\")");
        assertDeclared2dFields(chart);
        assertEquals(json("{\"type\":\"scatter\",\"title\":null,"
                + "\"elements\":[{\"label\":\"pts\",\"points\":[[1.0,4.0],[2.0,5.0],[3.0,6.0]]}],"
                + "\"x_label\":null,\"y_label\":null,\"x_unit\":null,\"y_unit\":null,"
                + "\"x_scale\":\"linear\",\"y_scale\":\"linear\"}"), withoutTicks(chart));
        assertTicksLineUp(chart, "x");
        assertTicksLineUp(chart, "y");
        for (JsonNode tick : chart.get("x_ticks")) {
            assertTrue(tick.isNumber(), "numeric tick " + tick);
        }
    }

    @Test
    void datetimeLineChartHasIsoPointsAndTicks() {
        JsonNode chart = chart("import pandas as pd; d = pd.date_range(\"2024-01-01\", periods=3, freq=\"D\"); "
                + "fig, ax = plt.subplots(); ax.plot(d, [1, 3, 2], label=\"temp\"); ax.set_title(\"Temps\")");
        assertDeclared2dFields(chart);
        assertEquals(json("{\"type\":\"line\",\"title\":\"Temps\",\"elements\":[{\"label\":\"temp\",\"points\":["
                + "[\"2024-01-01T00:00:00\",1.0],[\"2024-01-02T00:00:00\",3.0],[\"2024-01-03T00:00:00\",2.0]]}],"
                + "\"x_label\":null,\"y_label\":null,\"x_unit\":null,\"y_unit\":null,"
                + "\"x_scale\":\"datetime\",\"y_scale\":\"linear\"}"), withoutTicks(chart));
        assertTicksLineUp(chart, "x");
        for (JsonNode tick : chart.get("x_ticks")) {
            assertTrue(tick.isTextual() && tick.asText().startsWith("2024-01-0"), "ISO date tick " + tick + " in " + chart);
        }
        assertTrue(chart.get("x_ticks").get(0).asText().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}.*"), chart.toString());
        for (JsonNode tick : chart.get("y_ticks")) {
            assertTrue(tick.isNumber(), "numeric tick " + tick);
        }
    }

    @Test
    void figureWithTwoAxesIsASuperchart() {
        JsonNode chart = chart("fig, (a1, a2) = plt.subplots(1, 2); fig.suptitle(\"Super\"); "
                + "a1.plot([0, 1, 2], [1, 2, 0]); a2.bar([\"x\", \"y\"], [3, 5])");
        assertEquals("superchart", chart.get("type").asText());
        assertEquals("Super", chart.get("title").asText());
        assertEquals(3, chart.size(), "a superchart is type, title, elements: " + chart);
        JsonNode elements = chart.get("elements");
        assertEquals(2, elements.size());
        assertDeclared2dFields(elements.get(0));
        assertEquals(json("{\"type\":\"line\",\"title\":null,"
                + "\"elements\":[{\"label\":\"Line 0\",\"points\":[[0.0,1.0],[1.0,2.0],[2.0,0.0]]}],"
                + "\"x_label\":null,\"y_label\":null,\"x_unit\":null,\"y_unit\":null,"
                + "\"x_scale\":\"linear\",\"y_scale\":\"linear\"}"), withoutTicks(elements.get(0)));
        assertDeclared2dFields(elements.get(1));
        assertEquals(json("{\"type\":\"bar\",\"title\":null,\"elements\":["
                + "{\"label\":\"x\",\"group\":\"Group 0\",\"value\":3.0},"
                + "{\"label\":\"y\",\"group\":\"Group 0\",\"value\":5.0}],"
                + "\"x_label\":null,\"y_label\":null,\"x_unit\":null,\"y_unit\":null}"), elements.get(1));
    }

    // ---------------------------------------------------------------- more shapes

    /**
     * e2b's own SDK test shape. The values were checked against numpy's linear-interpolation quartiles and
     * matplotlib's 1.5 IQR whiskers: Class B sorted is 76, 84, 84.75, 88, 88, 90.5, 95, so Q1 = 84.375,
     * Q3 = 89.25, IQR = 4.875, lower fence 77.0625 makes 76 an outlier and 84 the lower whisker.
     */
    @Test
    void boxAndWhiskerChart() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.boxplot([[78, 85, 88, 90, 92], "
                + "[76, 84, 88, 90.5, 95, 84.75, 88], [75, 79, 82, 86, 88]], "
                + "labels=[\"Class A\", \"Class B\", \"Class C\"], patch_artist=True); "
                + "ax.set_title(\"Exam Scores Distribution\"); ax.set_xlabel(\"Class\"); ax.set_ylabel(\"Score\"); plt.show()");
        assertDeclared2dFields(chart);
        assertEquals(json("{\"type\":\"box_and_whisker\",\"title\":\"Exam Scores Distribution\",\"elements\":["
                + "{\"label\":\"Class A\",\"min\":78.0,\"first_quartile\":85.0,\"median\":88.0,\"third_quartile\":90.0,\"max\":92.0,\"outliers\":[]},"
                + "{\"label\":\"Class B\",\"min\":84.0,\"first_quartile\":84.375,\"median\":88.0,\"third_quartile\":89.25,\"max\":95.0,\"outliers\":[76.0]},"
                + "{\"label\":\"Class C\",\"min\":75.0,\"first_quartile\":79.0,\"median\":82.0,\"third_quartile\":86.0,\"max\":88.0,\"outliers\":[]}],"
                + "\"x_label\":\"Class\",\"y_label\":\"Score\",\"x_unit\":null,\"y_unit\":null}"), chart);
    }

    @Test
    void logScaleIsReported() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.plot([1, 2, 3], [1, 10, 100]); plt.yscale(\"log\"); plt.show()");
        assertEquals("line", chart.get("type").asText());
        assertEquals("log", chart.get("y_scale").asText());
        assertEquals("linear", chart.get("x_scale").asText());
        assertEquals(json("[{\"label\":\"Line 0\",\"points\":[[1.0,1.0],[2.0,10.0],[3.0,100.0]]}]"), chart.get("elements"));
        assertTicksLineUp(chart, "y");
    }

    @Test
    void unitsComeFromParenthesesAndBrackets() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.plot([1, 2], [3, 4]); "
                + "ax.set_xlabel(\"Time (s)\"); ax.set_ylabel(\"Amplitude [Hz]\")");
        assertEquals("Time (s)", chart.get("x_label").asText());
        assertEquals("Amplitude [Hz]", chart.get("y_label").asText());
        assertEquals("s", chart.get("x_unit").asText());
        assertEquals("Hz", chart.get("y_unit").asText());
    }

    @Test
    void aFigureWithoutDataHasNoChart() {
        ResultBundle bundle = figure("plt.figure(); plt.show()");
        assertNull(bundle.chart(), "no data, no chart: " + bundle);
        assertEquals("<Figure size 640x480 with 0 Axes>", bundle.text());
        assertNull(bundle.png(), "a figure without axes is not rendered");

        ResultBundle emptyAxes = figure("fig, ax = plt.subplots(); plt.show()");
        assertNull(emptyAxes.chart(), "empty axes, no chart: " + emptyAxes.chart());
    }

    @Test
    void axesWithUnrecognisedArtistsIsAnUnknownChart() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.add_patch(plt.Circle((0.5, 0.5), 0.2)); "
                + "ax.add_patch(plt.Circle((0.2, 0.2), 0.1)); ax.set_title(\"Circles\"); plt.show()");
        assertEquals(json("{\"type\":\"unknown\",\"title\":\"Circles\",\"elements\":[]}"), chart);
    }

    @Test
    void horizontalBarsSwapLabelsAndUnits() {
        JsonNode chart = chart("fig, ax = plt.subplots(); ax.barh([\"p\", \"q\"], [4, 9]); "
                + "ax.set_xlabel(\"Count (n)\"); ax.set_ylabel(\"Item\")");
        assertEquals("bar", chart.get("type").asText());
        assertEquals("Item", chart.get("x_label").asText());
        assertEquals("Count (n)", chart.get("y_label").asText());
        assertTrue(chart.get("x_unit").isNull(), chart.toString());
        assertEquals("n", chart.get("y_unit").asText());
        assertEquals(json("[{\"label\":\"p\",\"group\":\"Group 0\",\"value\":4.0},{\"label\":\"q\",\"group\":\"Group 0\",\"value\":9.0}]"),
                chart.get("elements"));
    }

    @Test
    void everyDeclaredFieldIsPresentEvenWhenNull() {
        String[] charts = {
            "fig, ax = plt.subplots(); ax.plot([1, 2], [2, 1])",
            "fig, ax = plt.subplots(); ax.scatter([1, 2], [2, 1])",
            "fig, ax = plt.subplots(); ax.bar([\"a\", \"b\"], [1, 2])",
            "fig, ax = plt.subplots(); ax.boxplot([[1, 2, 3, 4, 5], [2, 3, 4, 6, 9]], patch_artist=True)",
        };
        for (String code : charts) {
            JsonNode chart = chart(code);
            assertDeclared2dFields(chart);
            assertTrue(chart.get("title").isNull(), chart.toString());
            for (String field : FIELDS_2D) {
                assertTrue(chart.get(field).isNull(), field + " is null in " + chart);
            }
            if (!chart.get("type").asText().equals("bar") && !chart.get("type").asText().equals("box_and_whisker")) {
                for (String field : List.of("x_ticks", "x_tick_labels", "x_scale", "y_ticks", "y_tick_labels", "y_scale")) {
                    assertTrue(chart.has(field), field + " present in " + chart);
                    assertFalse(chart.get(field).isNull(), field + " is known in " + chart);
                }
            }
        }
        JsonNode pie = chart("fig, ax = plt.subplots(); ax.pie([1, 1])");
        assertTrue(pie.has("title") && pie.get("title").isNull(), pie.toString());
        assertEquals(json("[{\"label\":\"\",\"angle\":180.0,\"radius\":1.0},{\"label\":\"\",\"angle\":180.0,\"radius\":1.0}]"), pie.get("elements"));
    }
}
