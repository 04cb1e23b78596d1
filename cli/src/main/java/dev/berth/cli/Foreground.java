package dev.berth.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/** A server command kept in the foreground: on SIGTERM or Ctrl-C it stops what it runs, says so, and lets the command return. */
final class Foreground {
    interface Stop {
        void run() throws Exception;
    }

    private final CountDownLatch stopped = new CountDownLatch(1);

    private Foreground() {
    }

    /** @param what "Berth", "the executor": named in "Stopping the executor: ending tasks…" and "The executor stopped." */
    static Foreground stopOnSignal(PrintWriter out, String what, String doing, Stop stop) {
        var f = new Foreground();
        String named = Character.toUpperCase(what.charAt(0)) + what.substring(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping " + what + ": " + doing + "…");
            out.flush();
            try {
                stop.run();
                out.println(named + " stopped.");
            } catch (Exception e) {
                out.println(named + " did not stop cleanly: " + UpCommand.rootMessage(e));
            }
            out.flush();
            f.stopped.countDown();
        }, "berth-shutdown"));
        return f;
    }

    /** Until the signal's stop has finished. */
    void await() throws InterruptedException {
        stopped.await();
    }
}
