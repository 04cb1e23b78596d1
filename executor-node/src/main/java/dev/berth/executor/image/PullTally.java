package dev.berth.executor.image;

import dev.berth.model.units.ByteSize;

/** Counts a pull as it goes; {@link #progress()} says it in words ("1 of 3 layers, 2.1Mi of 5.3Mi"). Extend it to show it. */
public class PullTally implements ImageStore.PullListener {
    protected int layers, done, cached;
    protected long total, got;

    @Override
    public synchronized void resolved(String name, int n, long bytes, int alreadyHere) {
        layers = n;
        total = bytes;
    }

    @Override
    public synchronized void bytes(long n) {
        got += n;
    }

    @Override
    public synchronized void layerDone(String digest, boolean wasHere) {
        done++;
        if (wasHere) cached++;
    }

    public synchronized String progress() {
        return done + " of " + layers + " layers, " + ByteSize.ofBytes(got).human() + " of " + ByteSize.ofBytes(total).human();
    }

    public synchronized long fetched() {
        return got;
    }
}
