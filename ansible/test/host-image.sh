#!/usr/bin/env bash
# Makes the deploy test's host image, localhost/berth-test-host:bookworm: a Debian root filesystem
# from Debian's own packages (debootstrap, nothing from a registry) with systemd as PID 1 and
# python3 for Ansible's modules, imported into Podman. Does nothing when the image is there and
# was made from this script as it is now (its hash is the image's label).
set -euo pipefail
image=localhost/berth-test-host:bookworm
mirror=${BERTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
hash=$(sha256sum "$0" | cut -c1-16)

if [[ $(podman image inspect --format '{{index .Labels "berth.script"}}' "$image" 2>/dev/null) == "$hash" ]]; then
  exit 0
fi
work=$(mktemp -d /tmp/berth-host-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "host-image: debootstrap bookworm from $mirror…" >&2
debootstrap --variant=minbase --include=systemd,systemd-sysv,python3,busybox-static,procps,iproute2 \
  bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
root=$work/rootfs
# What a container host does not have or need: consoles, the resolver stub, udev's hardware rules.
for unit in getty@tty1.service console-getty.service systemd-udevd.service systemd-udev-trigger.service \
    systemd-resolved.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
echo "berth-test-host" > "$root/etc/hostname"
tar -C "$root" -cf "$work/rootfs.tar" .
podman import --quiet --change 'CMD ["/sbin/init"]' --change "LABEL berth.script=$hash" \
  --change 'ENV container=podman' --change 'STOPSIGNAL SIGRTMIN+3' "$work/rootfs.tar" "$image" >/dev/null
echo "host-image: $image made" >&2
