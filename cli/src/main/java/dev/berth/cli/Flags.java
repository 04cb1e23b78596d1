package dev.berth.cli;

import dev.berth.model.config.Settings;
import dev.berth.model.config.SettingsException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Flags as settings: each option given on the command line becomes the key of the same name in camelCase. */
final class Flags {
    private static final Set<String> NOT_SETTINGS = Set.of("config", "help", "version");

    private Flags() {
    }

    /** The options the user gave ({@code --cgroup-parent x} → {@code cgroupParent: x}), without {@code --config}. */
    static Map<String, Object> given(CommandSpec spec) {
        var out = new LinkedHashMap<String, Object>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String key = key(o.longestName());
            if (!NOT_SETTINGS.contains(key)) out.put(key, o.getValue());
        }
        return out;
    }

    static String key(String flag) {
        var b = new StringBuilder();
        boolean upper = false;
        for (char c : flag.replaceFirst("^--?", "").toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return b.toString();
    }

    /** The file laid over the defaults and the flags over the file; every problem at once, as an error the CLI prints. */
    static <R extends Record> R read(R defaults, Path file, Map<String, ?> flags) {
        try {
            return Settings.read(defaults, file, flags);
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^settings has", "the flags have"), e);
        }
    }
}
