# shellcheck shell=bash
# Docker helpers for TracePackets scripts. Source this file, then call ensure_docker.
#
# The build machine has no registry and no init system: dockerd comes from Debian's docker.io
# package and is started here, in the background, when nothing answers on the socket.

# Where dockerd's output goes when ensure_docker starts it.
: "${TP_DOCKERD_LOG:=/var/log/tracepackets-dockerd.log}"
# How long to wait for a starting dockerd before giving up.
: "${TP_DOCKERD_TIMEOUT:=60}"

_tp_docker_log() {
	echo "[docker] $*" >&2
}

# Answers when the daemon does; bounded so a wedged socket cannot hang the caller.
docker_ready() {
	timeout 10 docker info >/dev/null 2>&1
}

# Makes sure a Docker daemon answers: installs docker.io if dockerd is missing, starts dockerd if
# nothing answers, waits until it does. Returns non-zero with the log tail when it never answers.
ensure_docker() {
	if docker_ready; then
		return 0
	fi
	if ! command -v dockerd >/dev/null 2>&1; then
		_tp_docker_log "dockerd missing: installing docker.io"
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y -q docker.io >/dev/null 2>&1; then
			apt-get update -q >/dev/null && apt-get install -y -q docker.io >/dev/null || {
				_tp_docker_log "apt-get install docker.io failed"
				return 1
			}
		fi
	fi
	# Two scripts calling this at once must not start two daemons on one socket.
	local lock=/tmp/tracepackets-dockerd.lock
	(
		flock -w "$TP_DOCKERD_TIMEOUT" 9 || exit 1
		if docker_ready; then
			exit 0
		fi
		if ! pgrep -x dockerd >/dev/null 2>&1; then
			if ! touch "$TP_DOCKERD_LOG" 2>/dev/null; then
				TP_DOCKERD_LOG=/tmp/tracepackets-dockerd.log
			fi
			_tp_docker_log "starting dockerd (log: $TP_DOCKERD_LOG)"
			# setsid: the daemon must outlive this shell and its process group.
			setsid dockerd >>"$TP_DOCKERD_LOG" 2>&1 </dev/null &
		else
			_tp_docker_log "dockerd is running but not answering yet; waiting"
		fi
		local waited=0
		until docker_ready; do
			if ((waited >= TP_DOCKERD_TIMEOUT)); then
				_tp_docker_log "dockerd did not answer within ${TP_DOCKERD_TIMEOUT}s; last lines of $TP_DOCKERD_LOG:"
				tail -n 30 "$TP_DOCKERD_LOG" >&2 2>/dev/null
				exit 1
			fi
			sleep 1
			waited=$((waited + 1))
		done
		_tp_docker_log "dockerd ready after ${waited}s"
	) 9>"$lock"
}
