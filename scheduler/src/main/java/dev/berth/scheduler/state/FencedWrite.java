package dev.berth.scheduler.state;

import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.EntryProcessor;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes one entry on its partition owner unless a newer leader wrote it already. Each value
 * starts with the fencing epoch of the last leader that wrote it ({@code {"fence":7,…}}); a
 * leader's write with an older epoch is refused, so a deposed leader that has not noticed yet can
 * no longer change what its successor touched. Writes that are not the leader's (epoch 0: node
 * reports, the API) keep the fence that is there.
 */
public final class FencedWrite implements EntryProcessor<String, HazelcastJsonValue, Boolean> {
    private static final Pattern FENCE = Pattern.compile("^\\{\"fence\":(\\d+),");

    private final long epoch;
    private final String json;

    /** @param json the new value, a JSON object without a fence */
    public FencedWrite(long epoch, String json) {
        this.epoch = epoch;
        this.json = json;
    }

    @Override
    public Boolean process(Map.Entry<String, HazelcastJsonValue> entry) {
        long current = fence(entry.getValue());
        if (epoch > 0 && current > epoch) return false;
        entry.setValue(new HazelcastJsonValue(withFence(json, Math.max(current, epoch))));
        return true;
    }

    /** The fence of a stored value (0 when it has none). */
    public static long fence(HazelcastJsonValue v) {
        if (v == null) return 0;
        var m = FENCE.matcher(v.getValue());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    static String withFence(String json, long fence) {
        if (fence == 0) return json;
        return json.length() <= 2 ? "{\"fence\":" + fence + "}" : "{\"fence\":" + fence + "," + json.substring(1);
    }
}
