#!/bin/sh
# A Debian/Ubuntu package that some tests need, installed by `make test` when it is missing and
# this machine allows it (root, or sudo without a password). Whatever the machine's state (no
# root, no sudo, no network, apt held by another process) it ends with one line, and the tests
# that need the package say they are skipped. With CI set, a package that cannot be had is an
# error instead: CI must run every test.
#
# usage: tools/system-package.sh "<what, in Danish>" "<shell test: is it there?>" PACKAGE...
what=$1
present=$2
shift 2
hint="sudo apt-get install $*"

there() { sh -c "$present" >/dev/null 2>&1; }

missing() {  # $1: why, in Danish
	if [ -n "$CI" ]; then
		echo "CI: $what mangler ($1). Installér med '$hint'." >&2
		exit 1
	fi
	echo "$what mangler ($1): installér med '$hint'. Testene, der bruger det, springes over."
	exit 0
}

there && exit 0
command -v apt-get >/dev/null 2>&1 || missing "ingen apt-get på denne maskine"
if [ "$(id -u)" = 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root="sudo -n"
else
	missing "make test kører hverken som root eller med sudo uden adgangskode"
fi

# apt waits up to a minute for a lock another process holds, and the whole step is tried three
# times, so a neighbour's apt run delays this one instead of failing it.
apt() {
	$as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=60 "$@" 2>&1 >/dev/null
}
reason() {  # apt's output → one Danish line
	case "$1" in
	*"Could not get lock"* | *"Unable to acquire"* | *"Unable to lock"*) echo "apt er låst af en anden proces" ;;
	*"Temporary failure resolving"* | *"Could not resolve"* | *"Failed to fetch"* | *"Unable to connect"*) echo "intet netværk til pakkearkivet" ;;
	*"Unable to locate package"* | *"has no installation candidate"*) echo "pakken findes ikke i apt's kilder" ;;
	*) printf '%s' "$1" | grep -m1 '^E:' | cut -c1-160 || echo "apt-get mislykkedes" ;;
	esac
}

echo "Installerer $* (apt-get) …"
tries=0
while :; do
	tries=$((tries + 1))
	out=$(apt update) && out=$(apt install -y "$@") && break
	why=$(reason "$out")
	[ "$tries" -ge 3 ] && missing "${why:-apt-get mislykkedes}"
	echo "apt-get lykkedes ikke (${why:-ukendt årsag}); prøver igen om 10 s …"
	sleep 10
done
there || missing "installationen gav ikke det, testene skal bruge"
