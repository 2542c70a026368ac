package io.codeshard.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load benchmark's check finds each way an answer can be wrong, and passes the right one. */
class LoadCellTest {
    private final LoadCell cell = new LoadCell(7, 3, Language.PYTHON, LoadCell.Rich.NONE);

    @Test
    void theCellPrintsItsNumberedLinesAndAddsToTheTotal() {
        assertEquals("7:3:0\n", cell.expectedStdout());
        assertEquals(6, cell.expectedResult());
        assertTrue(cell.code().contains("n += 3"));
        assertTrue(new LoadCell(7, 0, Language.JAVASCRIPT, LoadCell.Rich.NONE).code().startsWith("let n = 0\n"));
    }

    @Test
    void theRightAnswerPasses() {
        assertNull(cell.check(answer(4, List.of("7:3:0\n"), "6")));
    }

    @Test
    void eachMistakeIsNamed() {
        LoadCell twoLines = new LoadCell(0, 1, Language.PYTHON, LoadCell.Rich.NONE);
        assertEquals("0:1:0\n0:1:1\n", twoLines.expectedStdout());
        assertEquals("stdout lines misordered", twoLines.check(answer(2, List.of("0:1:1\n", "0:1:0\n"), "1")));
        assertEquals("stdout lines lost", twoLines.check(answer(2, List.of("0:1:0\n"), "1")));
        assertEquals("stdout lines duplicated or foreign", twoLines.check(answer(2, List.of("0:1:0\n0:1:1\n", "0:1:1\n"), "1")));
        assertEquals("wrong executionCount (an execution lost or run twice)", cell.check(answer(5, List.of("7:3:0\n"), "6")));
        assertEquals("wrong result", cell.check(answer(4, List.of("7:3:0\n"), "3")));
        assertEquals("missing png output", new LoadCell(7, 3, Language.PYTHON, LoadCell.Rich.PNG).check(answer(4, List.of("7:3:0\n"), "6")));
        List<JsonNode> cut = answer(4, List.of("7:3:0\n"), "6");
        assertEquals("no completed event last", cell.check(cut.subList(0, cut.size() - 1)));
    }

    /** started, the stdout chunks, the main result, completed: as {@code POST /v1/execute} streams them. */
    private static List<JsonNode> answer(int executionCount, List<String> stdout, String result) {
        List<JsonNode> events = new ArrayList<>();
        events.add(event("started").put("executionCount", executionCount));
        stdout.forEach(text -> events.add(event("stdout").put("text", text)));
        ObjectNode main = event("result").put("isMainResult", true);
        main.putObject("bundle").put("text", result);
        events.add(main);
        events.add(event("completed").put("executionCount", executionCount));
        return events;
    }

    private static ObjectNode event(String type) {
        return Json.mapper().createObjectNode().put("type", type);
    }
}
