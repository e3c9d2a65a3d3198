# SPDX-License-Identifier: MIT
#
# Helpers shared by the hotplug scripts (sourced, not run): reading and
# writing the device's backend keys with the xenstore tools relative to
# $XENBUS_PATH, logging to stderr (the hotplug daemon's log), reporting
# success and failure the way Xen's toolstack reads them
# (hotplug-status, hotplug-error), and a lock serialising scripts that
# must not race (flock on $XEN_HOTPLUG_LOCKDIR/<name> when flock exists).

LANG=POSIX
LC_ALL=POSIX
export LANG LC_ALL

hp_name=$(basename "$0")

log() {
	echo "$hp_name: $*" >&2
}

if [ -z "${XENBUS_PATH:-}" ]; then
	log "XENBUS_PATH is not set: run by the hotplug daemon, not by hand"
	exit 1
fi

# xs_read KEY: the key's value under $XENBUS_PATH; fails if missing.
xs_read() {
	xenstore-read "$XENBUS_PATH/$1" 2>/dev/null
}

# xs_read_default KEY DEFAULT
xs_read_default() {
	xs_read "$1" || printf '%s\n' "$2"
}

# xs_write KEY VALUE [KEY VALUE]...
xs_write() {
	while [ $# -ge 2 ]; do
		xenstore-write "$XENBUS_PATH/$1" "$2" || return 1
		shift 2
	done
}

success() {
	xs_write hotplug-status connected
}

# fatal MESSAGE: record the error for the toolstack and stop.
fatal() {
	log "$*"
	xs_write hotplug-error "$*" hotplug-status error
	release_all_locks
	exit 1
}

# busy MESSAGE: the device is in use elsewhere (Xen's status "busy").
busy() {
	log "$*"
	xs_write hotplug-error "$*" hotplug-status busy
	release_all_locks
	exit 1
}

hp_locked=""

# claim_lock NAME: wait for the lock NAME, if flock is available (fd 9:
# dash has no higher ones).
claim_lock() {
	command -v flock >/dev/null 2>&1 || return 0
	hp_lockdir=${XEN_HOTPLUG_LOCKDIR:-/var/run/xen-hotplug}
	mkdir -p "$hp_lockdir" 2>/dev/null || {
		log "cannot create $hp_lockdir: running unlocked"
		return 0
	}
	exec 9>>"$hp_lockdir/$1"
	flock 9
	hp_locked=$1
}

release_lock() {
	[ -n "$hp_locked" ] || return 0
	flock -u 9
	exec 9>&-
	hp_locked=""
}

release_all_locks() {
	release_lock
}
