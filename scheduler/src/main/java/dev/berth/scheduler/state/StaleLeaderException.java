package dev.berth.scheduler.state;

/** A write of a leader whose epoch is older than the one that last wrote the entry: it leads no longer. */
public final class StaleLeaderException extends RuntimeException {
    public StaleLeaderException(String map, String key, long epoch) {
        super("leader epoch " + epoch + " is older than the one that last wrote " + map + " " + key + ": this member no longer leads");
    }
}
