package io.codeshard.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.protocol.Language;
import java.util.ArrayList;
import java.util.List;

/**
 * Cell number {@code k} of load context number {@code context}, and what its answer must be. Every cell prints
 * numbered lines {@code <context>:<k>:<line>} and adds {@code k} to the context's running total {@code n}, whose new
 * value is the cell's result: a lost, repeated or reordered line, an execution that ran twice or not at all, or
 * state lost between cells each give an answer other than the expected one. A rich cell also shows a matplotlib
 * figure (png) or a pandas DataFrame (html) before its result.
 */
record LoadCell(int context, int k, Language language, Rich rich) {

    /** The rich output a cell also produces. */
    enum Rich { NONE, PNG, HTML }

    /** Lines a cell prints: 1 to 5, so that chunks of different sizes cross the wire. */
    int lines() {
        return 1 + (context + k) % 5;
    }

    String code() {
        StringBuilder code = new StringBuilder();
        String prefix = context + ":" + k + ":";
        if (language == Language.PYTHON) {
            if (k == 0) {
                code.append("n = 0\n");
            }
            switch (rich) {
                case PNG -> code.append("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([0, 1, 2], [0, 1, ")
                        .append(k).append("])\nplt.show()\n");
                case HTML -> code.append("import pandas as pd\ndisplay(pd.DataFrame({'cell': [").append(k).append("], 'context': [")
                        .append(context).append("]}))\n");
                case NONE -> { }
            }
            code.append("for j in range(").append(lines()).append("):\n    print('").append(prefix).append("' + str(j))\n");
            code.append("n += ").append(k).append("\nn");
        } else {
            if (k == 0) {
                code.append("let n = 0\n");
            }
            code.append("for (let j = 0; j < ").append(lines()).append("; j++) console.log('").append(prefix).append("' + j)\n");
            code.append("n += ").append(k).append("\nn");
        }
        return code.toString();
    }

    /** The total after this cell: 0 + 1 + ... + k. */
    long expectedResult() {
        return (long) k * (k + 1) / 2;
    }

    String expectedStdout() {
        StringBuilder out = new StringBuilder();
        for (int j = 0; j < lines(); j++) {
            out.append(context).append(':').append(k).append(':').append(j).append('\n');
        }
        return out.toString();
    }

    /**
     * What is wrong with the events of this cell's answer (NDJSON, in order), as a kind for the error table, or
     * null when it is exactly right.
     */
    String check(List<JsonNode> events) {
        if (events.isEmpty() || !events.get(0).path("type").asText().equals("started")) {
            return "no started event first";
        }
        JsonNode last = events.get(events.size() - 1);
        if (!last.path("type").asText().equals("completed")) {
            return "no completed event last";
        }
        int expectedCount = k + 1;
        if (events.get(0).path("executionCount").asInt() != expectedCount || last.path("executionCount").asInt() != expectedCount) {
            return "wrong executionCount (an execution lost or run twice)";
        }
        StringBuilder stdout = new StringBuilder();
        List<JsonNode> results = new ArrayList<>();
        for (JsonNode event : events.subList(1, events.size() - 1)) {
            switch (event.path("type").asText()) {
                case "stdout" -> stdout.append(event.path("text").asText());
                case "result" -> results.add(event);
                case "error" -> {
                    return "cell error " + event.path("name").asText();
                }
                case "notice" -> {
                    return "notice " + event.path("code").asText();
                }
                case "stderr" -> { }
                default -> {
                    return "unexpected event " + event.path("type").asText();
                }
            }
        }
        if (!stdout.toString().equals(expectedStdout())) {
            return outputMistake(stdout.toString());
        }
        JsonNode main = results.stream().filter(r -> r.path("isMainResult").asBoolean()).findFirst().orElse(null);
        if (main == null || !main.path("bundle").path("text").asText().equals(String.valueOf(expectedResult()))) {
            return "wrong result";
        }
        boolean richSeen = switch (rich) {
            case NONE -> true;
            case PNG -> results.stream().anyMatch(r -> r.path("bundle").path("png").asText().startsWith("iVBOR"));
            case HTML -> results.stream().anyMatch(r -> r.path("bundle").path("html").asText().contains("<table"));
        };
        return richSeen ? null : "missing " + rich.name().toLowerCase() + " output";
    }

    /** Which way the printed lines differ from the expected ones. */
    private String outputMistake(String actual) {
        List<String> expected = List.of(expectedStdout().split("\n"));
        List<String> got = actual.isEmpty() ? List.of() : List.of(actual.split("\n", -1));
        got = got.isEmpty() || !got.get(got.size() - 1).isEmpty() ? got : got.subList(0, got.size() - 1);
        if (got.size() < expected.size()) {
            return "stdout lines lost";
        }
        if (got.size() > expected.size()) {
            return "stdout lines duplicated or foreign";
        }
        return new java.util.HashSet<>(got).equals(new java.util.HashSet<>(expected)) ? "stdout lines misordered" : "stdout lines garbled";
    }
}
