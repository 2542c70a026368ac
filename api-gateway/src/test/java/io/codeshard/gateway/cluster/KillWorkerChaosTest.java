package io.codeshard.gateway.cluster;

import org.junit.jupiter.api.Test;

/** The kill-worker chaos scenario, one trial, in the default suite (the chaos profile runs it with five). */
class KillWorkerChaosTest {

    @Test
    void killWorkerOnce() throws Exception {
        ChaosScenariosTest.assertNothingLost(ChaosScenarios.killWorker(1));
    }
}
