package io.codeshard.gateway.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a chaos scenario shows, in one line: contexts before and after, acknowledged creates lost, executions that
 * ended without a terminal event, failover seconds (median over the trials), and the scenario's own checks.
 */
record ChaosSummary(String scenario, int contextsBefore, int contextsAfter, int acknowledged, List<Workload.Context> lost,
                    long executions, long completed, long withoutTerminalEvent, long cut, Map<Integer, Long> refused,
                    Map<String, Long> errors, List<Double> failoverSeconds, List<String> checks) {

    static Builder builder(String scenario, Workload workload) {
        return new Builder(scenario, workload.acknowledged().size());
    }

    double medianFailover() {
        List<Double> sorted = failoverSeconds.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    String line() {
        StringBuilder line = new StringBuilder("chaos ").append(scenario).append(": contexts ").append(contextsBefore)
                .append(" before, ").append(contextsAfter).append(" after · acknowledged creates lost ").append(lost.size())
                .append(" of ").append(acknowledged).append(" · executions ").append(executions).append(": ")
                .append(withoutTerminalEvent).append(" without a terminal event, ").append(completed).append(" completed")
                .append(errors.isEmpty() ? "" : " (errors " + errors + ")")
                .append(", ").append(cut).append(" cut with their gateway, refused ").append(refused);
        if (!failoverSeconds.isEmpty()) {
            line.append(String.format(" · failover %.1f s median over %d (%s)", medianFailover(), failoverSeconds.size(),
                    failoverSeconds.stream().map(s -> String.format("%.1f", s)).collect(Collectors.joining(", "))));
        }
        if (!checks.isEmpty()) {
            line.append(" · ").append(String.join("; ", checks));
        }
        return line.toString();
    }

    /** Collects a scenario's observations while it runs. */
    static final class Builder {
        private final String scenario;
        private final int contextsBefore;
        private final List<Double> failovers = new ArrayList<>();
        private final List<String> checks = new ArrayList<>();
        private int replays;

        private Builder(String scenario, int contextsBefore) {
            this.scenario = scenario;
            this.contextsBefore = contextsBefore;
        }

        void failover(double seconds) {
            failovers.add(seconds);
        }

        void check(String observed) {
            checks.add(observed);
        }

        /** A replay context rebuilt its variables after the failover of one trial. */
        void replayed() {
            replays++;
        }

        /** Stops the workload and compares what the service lists with every create it acknowledged. */
        ChaosSummary finish(Workload workload) throws InterruptedException {
            workload.close();
            if (replays > 0) {
                checks.add("restore: replay rebuilt x = 41 → x + 1 = 42 after " + replays + " of " + failovers.size() + " failovers");
            }
            List<Workload.Context> acknowledged = workload.acknowledged();
            Set<Workload.Context> listed = new HashSet<>(workload.listed());
            List<Workload.Context> lost = acknowledged.stream().filter(c -> !listed.contains(c)).toList();
            return new ChaosSummary(scenario, contextsBefore, listed.size(), acknowledged.size(), lost, workload.executions(),
                    workload.count(Workload.Outcome.COMPLETED), workload.count(Workload.Outcome.NO_TERMINAL_EVENT),
                    workload.count(Workload.Outcome.CUT), workload.refusalsByStatus(), workload.errorsByName(),
                    List.copyOf(failovers), List.copyOf(checks));
        }
    }
}
