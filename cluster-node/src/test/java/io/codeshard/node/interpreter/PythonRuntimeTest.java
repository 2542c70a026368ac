package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import io.codeshard.protocol.ResultBundle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the Python runtime does with real cells in a real forked interpreter: values, errors, the
 * persistent namespace, IPython's display machinery, matplotlib, pandas, PIL and stdin.
 * (Ordering, counts, cwd/env, timeouts, crashes, output caps and fd capture are covered by
 * {@link ExecutionContractTest} and {@link FailureContainmentTest}.)
 */
class PythonRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static Interpreter python() {
        return SharedRuntime.open(Language.PYTHON);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static void assertPng(String base64, String what) {
        assertNotNull(base64, what + ": no png");
        byte[] bytes = Base64.getDecoder().decode(base64);
        assertTrue(bytes.length > PNG_MAGIC.length, what + ": png too short");
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, PNG_MAGIC.length), what + ": not a PNG");
    }

    private static void assertNoRunnerTraces(ExecutionEvent.Error error) {
        String runtimeDir = SharedRuntime.host().config().runtimeDir().toString();
        for (String line : error.traceback()) {
            assertFalse(line.contains(runtimeDir), "runtime path in traceback: " + error.traceback());
            assertFalse(line.contains("runtime/python"), "runtime path in traceback: " + error.traceback());
            assertFalse(line.contains("cell_runner"), "runner frame in traceback: " + error.traceback());
            assertFalse(line.contains("\u001b"), "ANSI escape in traceback: " + error.traceback());
        }
        assertFalse(error.value().contains("\u001b"), "ANSI escape in value: " + error.value());
    }

    // ---------------------------------------------------------------- seed examples

    @Test
    void seedCircleAreaUsesTheImportAndVariableOfThePreviousCell() {
        try (Interpreter interpreter = python()) {
            Cell first = Cell.run(interpreter, "import math; radius = 5").ok();
            assertNull(first.main());
            Cell second = Cell.run(interpreter, "math.pi * radius ** 2").ok();
            assertEquals("78.53981633974483", second.main().text());
        }
    }

    @Test
    void seedSumPrintsOneChunkAndReturnsTheSum() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "\ndata = [1, 2, 3, 4, 5]\nprint(f\"Sum: {sum(data)}\")\nsum(data)\n").ok();
            assertEquals(List.of("Sum: 15\n"), cell.stdoutChunks());
            assertEquals("15", cell.main().text());
            assertEquals(1, cell.results().size());
        }
    }

    @Test
    void seedZeroDivisionIsAnErrorWithAUserOnlyTraceback() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "x = 1 / 0");
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, "expected an error: " + cell.events());
            assertEquals("ZeroDivisionError", error.name());
            assertEquals("division by zero", error.value());
            List<String> traceback = error.traceback();
            assertEquals("Traceback (most recent call last):", traceback.get(0), traceback.toString());
            assertTrue(traceback.stream().anyMatch(l -> l.contains("File \"<cell-")), traceback.toString());
            assertTrue(traceback.stream().anyMatch(l -> l.strip().equals("x = 1 / 0")), traceback.toString());
            assertEquals("ZeroDivisionError: division by zero", traceback.get(traceback.size() - 1));
            assertNoRunnerTraces(error);
            assertNull(cell.main());
        }
    }

    // ---------------------------------------------------------------- cells and the namespace

    @Test
    void namespacePersistsVariablesImportsFunctionsAndClassesAcrossCells() {
        try (Interpreter interpreter = python()) {
            Cell.run(interpreter, "counter = 41\nimport collections\nfrom functools import reduce").ok();
            Cell.run(interpreter, "def twice(n):\n    return 2 * n\nclass Box:\n    def __init__(self, v):\n        self.v = v").ok();
            Cell.run(interpreter, "counter += 1").ok();
            Cell cell = Cell.run(interpreter,
                    "(counter, twice(counter), Box(7).v, collections.Counter('aab')['a'], reduce(lambda a, b: a + b, [1, 2, 3]), __name__)").ok();
            assertEquals("(42, 84, 7, 2, 6, '__main__')", cell.main().text());
        }
    }

    @Test
    void valueOfTheLastExpressionIsTheOnlyMainResult() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "1 + 1\n'not last'\nx = 3\nx * 'ab'").ok();
            assertEquals(1, cell.results().size(), cell.events().toString());
            assertTrue(cell.results().get(0).isMainResult());
            assertEquals("'ababab'", cell.main().text());
        }
    }

    @Test
    void noneAndATrailingSemicolonGiveNoMainResult() {
        try (Interpreter interpreter = python()) {
            Cell none = Cell.run(interpreter, "None").ok();
            assertTrue(none.results().isEmpty(), none.events().toString());
            Cell printed = Cell.run(interpreter, "print('side effect')").ok();
            assertTrue(printed.results().isEmpty(), printed.events().toString());
            assertEquals("side effect\n", printed.stdout());
            Cell silenced = Cell.run(interpreter, "y = 5\ny * 2;").ok();
            assertTrue(silenced.results().isEmpty(), silenced.events().toString());
            Cell spaced = Cell.run(interpreter, "y * 3 ;  ").ok();
            assertTrue(spaced.results().isEmpty(), spaced.events().toString());
            assertEquals("15", Cell.run(interpreter, "y * 3").ok().main().text());
        }
    }

    @Test
    void syntaxErrorIsAnErrorNamingTheLine() {
        try (Interpreter interpreter = python()) {
            Cell.run(interpreter, "before = 1").ok();
            Cell cell = Cell.run(interpreter, "a = 1\nb = = 2\nprint('never')");
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, "a syntax error must not be a success: " + cell.events());
            assertEquals("SyntaxError", error.name());
            assertEquals("", cell.stdout(), "nothing of the cell runs");
            List<String> traceback = error.traceback();
            assertTrue(traceback.stream().anyMatch(l -> l.contains("<cell-") && l.contains("line 2")), traceback.toString());
            assertTrue(traceback.stream().anyMatch(l -> l.strip().equals("b = = 2")), traceback.toString());
            assertTrue(traceback.get(traceback.size() - 1).startsWith("SyntaxError: "), traceback.toString());
            assertNoRunnerTraces(error);
            // nothing of the broken cell ran, the context is intact
            assertEquals("1", Cell.run(interpreter, "before").ok().main().text());
            assertEquals("NameError", Cell.run(interpreter, "a").error().name());
        }
    }

    @Test
    void nameErrorNamesTheMissingVariable() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "print('ran')\nundefined_thing + 1");
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, cell.events().toString());
            assertEquals("NameError", error.name());
            assertEquals("name 'undefined_thing' is not defined", error.value());
            assertEquals("ran\n", cell.stdout());
            assertTrue(error.traceback().stream().anyMatch(l -> l.strip().equals("undefined_thing + 1")), error.traceback().toString());
            assertNoRunnerTraces(error);
        }
    }

    @Test
    void exceptionClassDefinedInACellGivesItsClassName() {
        try (Interpreter interpreter = python()) {
            Cell.run(interpreter, "class QuotaExceeded(Exception):\n    pass").ok();
            Cell cell = Cell.run(interpreter, "def check():\n    raise QuotaExceeded('over by 3')\ncheck()");
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, cell.events().toString());
            assertEquals("QuotaExceeded", error.name());
            assertEquals("over by 3", error.value());
            List<String> traceback = error.traceback();
            assertTrue(traceback.get(traceback.size() - 1).endsWith("QuotaExceeded: over by 3"), traceback.toString());
            assertTrue(traceback.stream().anyMatch(l -> l.strip().equals("raise QuotaExceeded('over by 3')")), traceback.toString());
            assertNoRunnerTraces(error);
        }
    }

    @Test
    void topLevelAwaitWorks() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "import asyncio\nawait asyncio.sleep(0.01)\nasync def answer():\n    await asyncio.sleep(0.01)\n    return 42\nawait answer()").ok();
            assertEquals("42", cell.main().text());
            Cell again = Cell.run(interpreter, "await asyncio.gather(answer(), answer())").ok();
            assertEquals("[42, 42]", again.main().text());
        }
    }

    // ---------------------------------------------------------------- display() and IPython formatters

    @Test
    void ipythonDisplayObjectsGiveTheirFieldsInOrderBeforeTheMainResult() {
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle r=\"4\"/></svg>";
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, String.join("\n",
                    "from IPython.display import display, HTML, Markdown, Latex, JSON, SVG",
                    "display(HTML('<b>bold</b>'))",
                    "display(Markdown('**md**'), Latex(r'$\\alpha^2$'))",
                    "display(JSON({'a': [1, 2], 'b': None}))",
                    "display(SVG('" + svg.replace("'", "\\'") + "'))",
                    "'the end'")).ok();
            List<ExecutionEvent.Result> results = cell.results();
            assertEquals(6, results.size(), cell.events().toString());
            for (int i = 0; i < 5; i++) {
                assertFalse(results.get(i).isMainResult(), "display result " + i);
            }
            assertTrue(results.get(5).isMainResult(), "the main result comes last");
            assertEquals("'the end'", results.get(5).bundle().text());

            ResultBundle html = results.get(0).bundle();
            assertEquals("<b>bold</b>", html.html());
            assertEquals("<IPython.core.display.HTML object>", html.text());
            assertEquals("**md**", results.get(1).bundle().markdown());
            assertEquals("$\\alpha^2$", results.get(2).bundle().latex());
            assertEquals(json("{\"a\": [1, 2], \"b\": null}"), results.get(3).bundle().json());
            assertEquals(svg, results.get(4).bundle().svg());
            for (ExecutionEvent.Result result : results.subList(0, 5)) {
                assertNull(result.bundle().png());
                assertNull(result.bundle().extra());
            }
        }
    }

    @Test
    void reprMethodsOfAClassBecomeBundleFields() {
        String code = String.join("\n",
                "import base64",
                "PNG = bytes.fromhex('89504e470d0a1a0a') + b'not really a png'",
                "class Rich:",
                "    def __repr__(self): return 'Rich()'",
                "    def _repr_html_(self): return '<p>rich</p>'",
                "    def _repr_markdown_(self): return '*rich*'",
                "    def _repr_latex_(self): return '$r$'",
                "    def _repr_svg_(self): return '<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>'",
                "    def _repr_json_(self): return {'rich': True, 'n': [1.5, 2]}",
                "    def _repr_png_(self): return PNG",
                "Rich()");
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, code).ok();
            ResultBundle bundle = cell.main();
            assertNotNull(bundle, cell.events().toString());
            assertEquals("Rich()", bundle.text());
            assertEquals("<p>rich</p>", bundle.html());
            assertEquals("*rich*", bundle.markdown());
            assertEquals("$r$", bundle.latex());
            assertEquals("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", bundle.svg());
            assertEquals(json("{\"rich\": true, \"n\": [1.5, 2]}"), bundle.json());
            byte[] expectedPng = new byte[8 + "not really a png".length()];
            System.arraycopy(PNG_MAGIC, 0, expectedPng, 0, 8);
            System.arraycopy("not really a png".getBytes(), 0, expectedPng, 8, "not really a png".length());
            assertArrayEquals(expectedPng, Base64.getDecoder().decode(bundle.png()), "png is the base64 of the bytes");
            assertNull(bundle.extra());

            Cell shown = Cell.run(interpreter, "display(Rich())").ok();
            assertNull(shown.main());
            assertEquals(1, shown.displayed().size());
            assertEquals("<p>rich</p>", shown.displayed().get(0).html());
            assertEquals(bundle.png(), shown.displayed().get(0).png());
        }
    }

    @Test
    void reprMimebundleMapsKnownTypesAndKeepsUnknownOnesInExtra() {
        String code = String.join("\n",
                "class Bundled:",
                "    def _repr_mimebundle_(self, include=None, exclude=None):",
                "        return {'text/plain': 'bundled', 'text/html': '<i>bundled</i>',",
                "                'application/vnd.example+json': {'k': [1, 'two']},",
                "                'text/x-custom': 'custom text'}",
                "Bundled()");
        try (Interpreter interpreter = python()) {
            ResultBundle bundle = Cell.run(interpreter, code).ok().main();
            assertNotNull(bundle);
            assertEquals("bundled", bundle.text());
            assertEquals("<i>bundled</i>", bundle.html());
            assertNotNull(bundle.extra(), "unknown MIME types land in extra");
            assertEquals(json("{\"k\": [1, \"two\"]}"), bundle.extra().get("application/vnd.example+json"));
            assertEquals("custom text", bundle.extra().get("text/x-custom").asText());
            assertEquals(2, bundle.extra().size(), bundle.extra().toString());
        }
    }

    // ---------------------------------------------------------------- matplotlib

    @Test
    void seedMatplotlibChartIsOneDisplayResultWithPngTextAndLineChart() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, String.join("\n",
                    "import matplotlib.pyplot as plt",
                    "import numpy as np",
                    "x = np.linspace(0, 10, 100)",
                    "plt.plot(x, np.sin(x))",
                    "plt.show()")).ok();
            assertNull(cell.main(), "plt.plot's return value is not shown: plt.show() is the last line");
            assertEquals(1, cell.results().size(), "published once: " + cell.results());
            ExecutionEvent.Result result = cell.results().get(0);
            assertFalse(result.isMainResult());
            ResultBundle bundle = result.bundle();
            assertEquals("<Figure size 640x480 with 1 Axes>", bundle.text());
            assertPng(bundle.png(), "figure");
            JsonNode chart = bundle.chart();
            assertNotNull(chart, "figure has a chart");
            assertEquals("line", chart.get("type").asText());
            assertEquals(1, chart.get("elements").size());
            JsonNode points = chart.get("elements").get(0).get("points");
            assertEquals(100, points.size());
            assertEquals(0.0, points.get(0).get(0).asDouble());
            assertEquals(0.0, points.get(0).get(1).asDouble());
            assertEquals(10.0, points.get(99).get(0).asDouble());
            assertEquals(Math.sin(10.0), points.get(99).get(1).asDouble(), 1e-12);
        }
    }

    @Test
    void aFigureLeftOpenIsPublishedOnceAfterTheCellAndClosed() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2])\n'value'").ok();
            assertEquals(2, cell.results().size(), cell.results().toString());
            assertEquals("'value'", cell.main().text());
            assertTrue(cell.results().get(0).isMainResult(), "a figure left open comes after the main result");
            ResultBundle figure = cell.displayed().get(0);
            assertEquals("<Figure size 640x480 with 1 Axes>", figure.text());
            assertPng(figure.png(), "open figure");
            assertEquals("line", figure.chart().get("type").asText());

            Cell next = Cell.run(interpreter, "plt.get_fignums()").ok();
            assertEquals("[]", next.main().text());
            assertTrue(next.displayed().isEmpty(), "the figure is not published again: " + next.displayed());
        }
    }

    // ---------------------------------------------------------------- pandas and PIL

    @Test
    void dataFrameAsLastExpressionGivesTextHtmlAndColumnData() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "import pandas as pd\npd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']})").ok();
            ResultBundle bundle = cell.main();
            assertNotNull(bundle, cell.events().toString());
            assertTrue(bundle.text().contains("a  b"), bundle.text());
            assertTrue(bundle.html().contains("<table"), bundle.html());
            assertEquals(json("{\"a\": [1, 2, 3], \"b\": [\"x\", \"y\", \"z\"]}"), bundle.data());
        }
    }

    @Test
    void dataFrameDataHasIsoTimestampsAndNullForMissingValues() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, String.join("\n",
                    "import pandas as pd, numpy as np",
                    "pd.DataFrame({'t': pd.to_datetime(['2024-01-01', '2024-01-02 03:04:05', None]),",
                    "              'v': [1.5, np.nan, 3.0],",
                    "              'n': np.array([1, 2, 3], dtype=np.int64)})")).ok();
            assertEquals(json("{\"t\": [\"2024-01-01T00:00:00\", \"2024-01-02T03:04:05\", null],"
                    + " \"v\": [1.5, null, 3.0], \"n\": [1, 2, 3]}"), cell.main().data());
        }
    }

    @Test
    void pilImageAsLastExpressionOrDisplayedIsAPng() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "from PIL import Image\nimg = Image.new('RGB', (4, 3), (255, 0, 0))\nimg").ok();
            assertPng(cell.main().png(), "main image");
            Cell shown = Cell.run(interpreter, "display(img)").ok();
            assertNull(shown.main());
            assertEquals(1, shown.displayed().size());
            assertPng(shown.displayed().get(0).png(), "displayed image");
        }
    }

    // ---------------------------------------------------------------- stdin

    @Test
    void inputRaisesStdinNotImplementedErrorAtOnce() {
        try (Interpreter interpreter = python()) {
            Cell cell = Cell.run(interpreter, "name = input('Your name: ')", Duration.ofSeconds(5));
            ExecutionEvent.Error error = cell.error();
            assertNotNull(error, cell.events().toString());
            assertNotEquals("TimeoutError", error.name(), "input() must not wait for stdin");
            assertEquals("StdinNotImplementedError", error.name());
            assertTrue(cell.completed().durationMs() < 5000, "took " + cell.completed().durationMs());
            assertNoRunnerTraces(error);
            assertEquals("ok", Cell.run(interpreter, "print('ok')").ok().stdout().strip());
        }
    }
}
