package dev.berth.executor.container;

/** Resolves "uid[:gid]" or "name[:group]" to numbers with the image's /etc/passwd and /etc/group. */
final class Users {
    private Users() {
    }

    /** {uid, gid}; a bare uid takes its gid from passwd, else the same number. */
    static int[] resolve(String user, ImageFiles files) {
        String[] parts = user.split(":", 2);
        int uid;
        Integer primaryGid = null;
        if (parts[0].matches("\\d+")) {
            uid = Integer.parseInt(parts[0]);
            for (String[] f : entries(files, "/etc/passwd")) {
                if (f.length > 3 && f[2].equals(parts[0])) primaryGid = Integer.parseInt(f[3]);
            }
        } else {
            String[] entry = null;
            for (String[] f : entries(files, "/etc/passwd")) if (f.length > 3 && f[0].equals(parts[0])) entry = f;
            if (entry == null) throw new IllegalArgumentException("user \"" + parts[0] + "\" is not in the image's /etc/passwd");
            uid = Integer.parseInt(entry[2]);
            primaryGid = Integer.parseInt(entry[3]);
        }
        int gid;
        if (parts.length == 2) {
            if (parts[1].matches("\\d+")) {
                gid = Integer.parseInt(parts[1]);
            } else {
                Integer g = null;
                for (String[] f : entries(files, "/etc/group")) if (f.length > 2 && f[0].equals(parts[1])) g = Integer.parseInt(f[2]);
                if (g == null) throw new IllegalArgumentException("group \"" + parts[1] + "\" is not in the image's /etc/group");
                gid = g;
            }
        } else {
            gid = primaryGid != null ? primaryGid : uid;
        }
        return new int[] {uid, gid};
    }

    private static java.util.List<String[]> entries(ImageFiles files, String path) {
        return files.read(path).map(s -> s.lines().map(l -> l.split(":", -1)).toList()).orElse(java.util.List.of());
    }
}
