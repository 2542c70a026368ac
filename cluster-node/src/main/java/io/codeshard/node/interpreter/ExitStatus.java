package io.codeshard.node.interpreter;

/**
 * How an interpreter process ended, as its parent (the zygote) saw it: an exit code or a signal.
 * Both null when nobody could tell (the zygote itself was gone).
 */
record ExitStatus(Integer code, Integer signal) {
    static final ExitStatus UNKNOWN = new ExitStatus(null, null);

    /** A phrase for error messages: "exited with code 1", "was killed by SIGSEGV (segmentation fault)". */
    String describe() {
        if (code != null) {
            return "exited with code " + code;
        }
        if (signal != null) {
            return "was killed by " + signalName(signal);
        }
        return "ended";
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 2 -> "SIGINT";
            case 6 -> "SIGABRT (abort)";
            case 7 -> "SIGBUS (bus error)";
            case 9 -> "SIGKILL (killed, e.g. by the out-of-memory killer or a limit)";
            case 11 -> "SIGSEGV (segmentation fault)";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
    }
}
