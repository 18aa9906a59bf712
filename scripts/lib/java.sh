# shellcheck shell=bash
# The one rule by which every TracePackets script picks its JDK. Source this file, then call
#   use_java            sets and exports JAVA_HOME, puts $JAVA_HOME/bin first on PATH
#   use_java --install  the same, and as root may apt-get install the distribution's JDK 25
#                       (only ./tp's setup does this)
# It returns non-zero, after one message on stderr, when no JDK 25 can be had.
#
# The rule, first match wins:
#   1. TRACEPACKETS_JAVA_HOME, when set: it must be a JDK 25 or newer, else this fails naming it
#      (a wrong explicit choice is never silently replaced by another JDK);
#   2. /usr/lib/jvm/temurin-25-jdk-<arch> (Adoptium's Debian package, the project's machines);
#   3. any /usr/lib/jvm/*25* that is a JDK 25 or newer (e.g. Debian's java-25-openjdk-amd64);
#   4. with --install, as root: openjdk-25-jdk-headless from the distribution's archive, where it
#      has one (Debian 13 does, Debian 12 does not), then 3. again;
#   5. fail, naming what to install and the variable to set.
# JAVA_HOME from the caller's environment is not part of the rule: the sudo'd, CI and VM paths
# would each see a different one. A candidate counts only if its bin/javac exists and its
# `java -version` reports major version 25 or more.
#
# For tests: TP_JVM_DIR replaces /usr/lib/jvm as the place searched (e.g. an empty directory to
# see what happens on a machine without any JDK 25).

TP_JAVA_MIN_MAJOR=25
TP_JAVA_APT_PACKAGE=openjdk-25-jdk-headless

_tp_java_say() {
	echo "${0##*/}: $*" >&2
}

# Prints the major version of the java in JDK home $1 (25 for "25.0.1", 8 for "1.8.0_402"), or
# nothing when $1/bin/java is missing or does not run.
tp_java_major() {
	local java=$1/bin/java version
	[[ -x $java ]] || return 1
	# "Picked up JAVA_TOOL_OPTIONS" and the like may come first: take the line with the version.
	version=$("$java" -version 2>&1 | sed -n 's/^.* version "\([^"]*\)".*$/\1/p' | head -n 1)
	[[ $version =~ ^1\.([0-9]+) ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
	[[ $version =~ ^([0-9]+) ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
	return 1
}

# Succeeds when $1 is a JDK (java and javac) of version TP_JAVA_MIN_MAJOR or newer; otherwise
# prints why not on stdout and fails.
tp_java_check() {
	local home=$1 major
	if [[ ! -x $home/bin/java ]]; then
		echo "$home/bin/java does not exist"
		return 1
	fi
	if ! major=$(tp_java_major "$home"); then
		echo "$home/bin/java -version does not run or reports no version"
		return 1
	fi
	if ((major < TP_JAVA_MIN_MAJOR)); then
		echo "$home is Java $major, TracePackets needs $TP_JAVA_MIN_MAJOR or newer"
		return 1
	fi
	if [[ ! -x $home/bin/javac ]]; then
		echo "$home is a Java $major runtime without javac, not a JDK"
		return 1
	fi
}

# Prints the first JDK 25+ under the search directory (rule 2, then 3), or fails.
tp_java_search() {
	local dir=${TP_JVM_DIR:-/usr/lib/jvm} arch candidate
	arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
	for candidate in "$dir/temurin-25-jdk-$arch" "$dir"/*25*; do
		[[ -d $candidate ]] || continue
		if tp_java_check "$candidate" >/dev/null; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

# Prints the archive's candidate version of TP_JAVA_APT_PACKAGE (after apt-get update), or fails
# when the distribution has none (Debian 12: apt-cache policy prints nothing for it).
tp_java_apt_candidate() {
	local candidate
	apt-get update -qq >/dev/null 2>&1 || _tp_java_say "apt-get update failed; deciding from the lists already present"
	candidate=$(apt-cache policy "$TP_JAVA_APT_PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	[[ -n $candidate && $candidate != "(none)" ]] || return 1
	echo "$candidate"
}

use_java() {
	local install=false home why candidate
	[[ ${1:-} == --install ]] && install=true

	if [[ -n ${TRACEPACKETS_JAVA_HOME:-} ]]; then
		if ! why=$(tp_java_check "$TRACEPACKETS_JAVA_HOME"); then
			_tp_java_say "TRACEPACKETS_JAVA_HOME=$TRACEPACKETS_JAVA_HOME is not a JDK $TP_JAVA_MIN_MAJOR: $why." \
				"Point TRACEPACKETS_JAVA_HOME at a JDK $TP_JAVA_MIN_MAJOR or newer, or unset it to use /usr/lib/jvm's."
			return 1
		fi
		home=$TRACEPACKETS_JAVA_HOME
	elif ! home=$(tp_java_search); then
		local dir=${TP_JVM_DIR:-/usr/lib/jvm} archive=""
		if $install && [[ $(id -u) == 0 ]]; then
			if candidate=$(tp_java_apt_candidate); then
				_tp_java_say "no JDK $TP_JAVA_MIN_MAJOR in $dir: installing $TP_JAVA_APT_PACKAGE $candidate"
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$TP_JAVA_APT_PACKAGE" >/dev/null ||
					{ _tp_java_say "apt-get install $TP_JAVA_APT_PACKAGE failed"; return 1; }
				home=$(tp_java_search) ||
					{ _tp_java_say "installed $TP_JAVA_APT_PACKAGE, but found no JDK $TP_JAVA_MIN_MAJOR in $dir"; return 1; }
			else
				archive=" and this distribution's archive has no $TP_JAVA_APT_PACKAGE ($(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"))"
			fi
		fi
		if [[ -z $home ]]; then
			_tp_java_say "no JDK $TP_JAVA_MIN_MAJOR found: TRACEPACKETS_JAVA_HOME is unset, $dir has no" \
				"temurin-25-jdk-* or other *25* JDK$archive. Install a JDK $TP_JAVA_MIN_MAJOR (Temurin 25 from" \
				"https://adoptium.net/installation/linux/ as temurin-25-jdk, or $TP_JAVA_APT_PACKAGE on Debian 13+)," \
				"or set TRACEPACKETS_JAVA_HOME to one."
			return 1
		fi
	fi
	export JAVA_HOME=$home
	# First on PATH (mvn and plain `java` use it), once: tp and the scripts it runs all call this.
	[[ $PATH == "$JAVA_HOME/bin:"* ]] || export PATH="$JAVA_HOME/bin:$PATH"
}
