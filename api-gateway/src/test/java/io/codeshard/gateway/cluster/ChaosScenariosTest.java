package io.codeshard.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The chaos scenarios (docs/cluster.md), each on its own cluster: {@code ./codeshard chaos <scenario>}, or
 * {@code mvn -Pchaos test -pl api-gateway -am}. The default suite runs kill-worker once ({@link KillWorkerChaosTest}).
 */
@Tag("chaos")
class ChaosScenariosTest {

    @Test
    void killWorker() throws Exception {
        assertNothingLost(ChaosScenarios.killWorker(Integer.getInteger("chaos.trials", 5)));
    }

    @Test
    void pauseWorker() throws Exception {
        assertNothingLost(ChaosScenarios.pauseWorker());
    }

    @Test
    void partition() throws Exception {
        String unavailable = NetworkPartition.unavailableBecause();
        Assumptions.assumeTrue(unavailable == null, () -> "partition scenario skipped: " + unavailable);
        assertNothingLost(ChaosScenarios.partition());
    }

    @Test
    void killGateway() throws Exception {
        assertNothingLost(ChaosScenarios.killGateway());
    }

    @Test
    void journalOutage() throws Exception {
        assertNothingLost(ChaosScenarios.journalOutage());
    }

    @Test
    void rollingRestart() throws Exception {
        assertNothingLost(ChaosScenarios.rollingRestart());
    }

    /** The bar of every scenario: no acknowledged create lost, no execution left without its terminal event. */
    static void assertNothingLost(ChaosSummary summary) throws Exception {
        ChaosScenarios.report(summary);
        assertEquals(java.util.List.of(), summary.lost(), "acknowledged creates lost");
        assertEquals(0, summary.withoutTerminalEvent(), "executions without a terminal event");
    }
}
