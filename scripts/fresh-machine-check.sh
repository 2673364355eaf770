#!/usr/bin/env bash
# The README's two commands on a fresh machine: a minimal Debian 12 root (debootstrap: python3, python3-venv,
# make and git, nothing else) gets a clone of this repository's HEAD, then `make run` (until the server answers)
# and `make test` run in it under chroot. A system package missing from system-packages.*.txt fails here.
#
# usage: scripts/fresh-machine-check.sh        (as root, with debootstrap and curl installed)
# FRESH_DIR=DIR      build the root in DIR/root (default: a new folder under /var/tmp, removed afterwards)
# FRESH_KEEP=1       keep the root afterwards (the two commands' logs are in its /src/*.log)
# FRESH_CACHE=DIR    keep debootstrap's downloaded packages here between runs (default: download afresh)
# FRESH_MIRROR=URL   Debian mirror (default: the one this machine's apt uses)
# FRESH_PORT=N       port for `make run` (default: a free one)
# FRESH_RUN_TIMEOUT, FRESH_TEST_TIMEOUT   seconds for `make run` to answer and `make test` to end (1200, 2700)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
suite=bookworm
# A port nothing on this machine listens on (the root shares its network): a stray server must not answer for it.
port=${FRESH_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
run_timeout=${FRESH_RUN_TIMEOUT:-1200}
test_timeout=${FRESH_TEST_TIMEOUT:-2700}

say() { printf '== fresh machine: %s (%ds)\n' "$*" "$SECONDS"; }
fail() { printf '== fresh machine: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || fail "needs debootstrap (apt-get install debootstrap)"
command -v curl >/dev/null || fail "needs curl"

# The mirror this machine's apt uses for the main suite: deb822 .sources first, then one-line .list files.
host_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      function end_stanza() { if (uri != "" && hit) { print uri; exit } uri = ""; hit = 0 }
      /^[ \t]*$/ { end_stanza(); next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
      END { end_stanza() }' "$f"
  done
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/#.*//; s/\[[^]]*\]//' | awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2 }' || true
}
mirror=${FRESH_MIRROR:-$(host_mirror | head -n 1 || true)}
mirror=${mirror:-http://deb.debian.org/debian}

work=${FRESH_DIR:-$(mktemp -d /var/tmp/eventapp-fresh.XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
root=$work/root
[ ! -e "$root" ] || fail "$root already exists: remove it or choose another FRESH_DIR"
mounted=()

# Everything started inside the root (make run's server, a test's browser, a stuck pip) is ours: end it by id.
stop_processes_in_root() {
  local signal pid link found
  for signal in TERM KILL; do
    found=0
    for pid in /proc/[0-9]*; do
      link=$(readlink "$pid/root" 2>/dev/null) || continue
      if [ "$link" = "$root" ]; then kill "-$signal" "${pid#/proc/}" 2>/dev/null || true; found=1; fi
    done
    [ "$found" -eq 1 ] || return 0
    sleep 3
  done
}

cleanup() {
  local status=$? index
  trap - EXIT INT TERM
  stop_processes_in_root
  for ((index = ${#mounted[@]} - 1; index >= 0; index--)); do
    umount "${mounted[index]}" 2>/dev/null || umount -l "${mounted[index]}" || true
  done
  if grep -q " $root[/ ]" /proc/mounts; then
    echo "== fresh machine: something is still mounted under $root; left in place" >&2
  elif [ -n "${FRESH_KEEP:-}" ]; then
    echo "== fresh machine: root kept in $root"
  elif [ -z "${FRESH_DIR:-}" ]; then
    rm -rf --one-file-system "$work"
  else
    rm -rf --one-file-system "$root"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "debootstrap --variant=minbase $suite from $mirror into $root"
cache=()
if [ -n "${FRESH_CACHE:-}" ]; then mkdir -p "$FRESH_CACHE"; cache=(--cache-dir="$(cd "$FRESH_CACHE" && pwd)"); fi
debootstrap --variant=minbase --include=python3,python3-venv,make,git "${cache[@]}" \
  "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; fail "debootstrap"; }

say "copying this machine's package settings (CA certificates, apt and pip configuration, DNS)"
copy_in() {  # copy_in PATH...: each that exists, to the same place in the root
  local path
  for path in "$@"; do
    [ -e "$path" ] || continue
    mkdir -p "$root$(dirname "$path")"
    cp -a "$path" "$root$path"
  done
}
copy_in /etc/ssl/certs/ca-certificates.crt /etc/pip.conf /etc/xdg/pip /root/.config/pip /root/.pip \
  /etc/resolv.conf /etc/hosts /etc/apt/auth.conf /etc/apt/auth.conf.d
# apt: its network settings (proxies, Acquire options) and, on the same Debian release, the same sources.
for conf in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
  if [ -f "$conf" ] && grep -q 'Acquire' "$conf"; then copy_in "$conf"; fi
done
if grep -q "^VERSION_CODENAME=$suite\$" /etc/os-release 2>/dev/null; then
  for source in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$source" ] || continue
    copy_in "$source"
    # The keyring a source names, when the root's packages do not provide it already.
    for keyring in $(sed -nE 's/.*(Signed-By:|signed-by=)[[:space:]]*([^] ]+).*/\2/p' "$source"); do
      [ -e "$root$keyring" ] || copy_in "$keyring"
    done
  done
fi

say "cloning $(git -C "$repo" rev-parse --short HEAD) into /src"
git clone -q --no-hardlinks "$repo" "$root/src"
git -C "$root/src" checkout -q --detach "$(git -C "$repo" rev-parse HEAD)"

for point in proc dev dev/pts dev/shm; do
  mkdir -p "$root/$point"
  case $point in
    proc) mount -t proc proc "$root/proc" ;;
    dev/shm) mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm" ;;  # Chromium and multiprocessing
    *) mount --bind "/$point" "$root/$point" ;;
  esac
  mounted+=("$root/$point")
done

# A clean environment, as a newcomer's root shell has: only how to reach the registries comes along.
environment=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb)
while IFS='=' read -r name value; do
  case $name in
    PIP_* | http_proxy | https_proxy | no_proxy | HTTP_PROXY | HTTPS_PROXY | NO_PROXY | SSL_CERT_FILE | REQUESTS_CA_BUNDLE)
      # A setting that names a local path (a wheel folder, a certificate) only when that path is in the root.
      if [[ $value == /* && ! -e $root${value%%[ :]*} ]]; then echo "   (not passing $name: $value is not in the root)"
      else environment+=("$name=$value"); fi ;;
  esac
done < <(env)

say "make run (PORT=$port), until http://127.0.0.1:$port/ answers"
# In its own session, so that stopping it stops make, flask and anything they started.
setsid env -i "${environment[@]}" chroot "$root" /bin/sh -c "cd /src && exec make run PORT=$port" \
  >"$root/src/make-run.log" 2>&1 </dev/null &
run_pid=$!
answered=""
deadline=$((SECONDS + run_timeout))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$run_pid" 2>/dev/null; do
  if curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$port/" 2>/dev/null; then answered=yes; break; fi
  sleep 2
done
if [ -z "$answered" ]; then
  tail -n 40 "$root/src/make-run.log" >&2
  fail "make run did not serve on port $port (the end of its log above)"
fi
curl -fsS --max-time 10 "http://127.0.0.1:$port/events/london-p2p-2018" | grep -q 'London' \
  || fail "make run answers, but not with the demo conference's page"
grep -q 'Admin login:' "$root/src/make-run.log" || fail "make run printed no admin login"
kill -TERM -- "-$run_pid" 2>/dev/null || true
wait "$run_pid" 2>/dev/null || true
say "make run served the demo; stopped it"

say "make test"
# -rfEs lists every failed, erroring and skipped test with its reason: a skip for something missing is a package the lists forgot.
if ! timeout "$test_timeout" env -i "${environment[@]}" PYTEST_ADDOPTS=-rfEs \
  chroot "$root" /bin/sh -c "cd /src && make test" >"$root/src/make-test.log" 2>&1 </dev/null; then
  grep -E '^(FAILED|ERROR)' "$root/src/make-test.log" | tail -n 40 >&2 || true
  tail -n 25 "$root/src/make-test.log" >&2
  fail "make test (the end of its log above)"
fi
grep -E '^SKIPPED' "$root/src/make-test.log" || true
tail -n 1 "$root/src/make-test.log"
if grep -E '^SKIPPED' "$root/src/make-test.log" | grep -qiE 'missing|not installed|not found'; then
  fail "make test skipped tests for something missing on a fresh machine (above)"
fi
say "passed: make run and make test on a minimal Debian $suite"
