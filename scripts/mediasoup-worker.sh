#!/usr/bin/env bash
# Find, download or build the mediasoup-worker binary for the mediasoup version
# the project pins, and print its absolute path as the last line on stdout
# (progress goes to stderr). Safe to run any number of times: after the first
# success it answers from the cache straight away.
#
# Version: node_modules/mediasoup/package.json if installed, else $MS_VERSION,
# else 3.27.1. The worker must come from exactly the same version as the npm
# package. In order:
#   a. $MEDIASOUP_WORKER_BIN, if set and executable;
#   b. the cache: ${PREAU_CACHE:-~/.cache/preau}/mediasoup-worker/VERSION/;
#   c. mediasoup's own prebuilt binary from its GitHub releases (skipped when
#      PREAU_MEDIASOUP_NO_PREBUILT=1), saved to the cache;
#   d. a build from source with sfu/worker-build/build.sh (no GitHub needed;
#      5-10 minutes on 2 cores), saved to the cache.
# Use the result with `MEDIASOUP_WORKER_BIN=$(scripts/mediasoup-worker.sh | tail -n1)`
# both for `npm install` (mediasoup's postinstall then skips its own download
# and build) and at run time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "mediasoup-worker: $*" >&2; }
die() { log "error: $*"; exit 1; }

version=
for pkg in "$ROOT/node_modules/mediasoup/package.json" "$ROOT/sfu/node_modules/mediasoup/package.json"; do
  if [ -f "$pkg" ]; then
    version=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$pkg" | head -n1)
    break
  fi
done
version=${version:-${MS_VERSION:-3.27.1}}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad mediasoup version '$version'"

# The worker exits with 41 when MEDIASOUP_VERSION is missing from its
# environment; mediasoup's installer uses this to check that a binary runs here.
runs_here() {
  local rc=0
  env -i "$1" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" = 41 ]
}

# a. An explicit binary.
if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
  if [ -f "$MEDIASOUP_WORKER_BIN" ] && [ -x "$MEDIASOUP_WORKER_BIN" ]; then
    echo "$(cd "$(dirname "$MEDIASOUP_WORKER_BIN")" && pwd)/$(basename "$MEDIASOUP_WORKER_BIN")"
    exit 0
  fi
  log "ignoring MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN: not an executable file"
fi

# b. The cache.
CACHE_DIR=${PREAU_CACHE:-$HOME/.cache/preau}/mediasoup-worker/$version
BIN=$CACHE_DIR/mediasoup-worker
if [ -x "$BIN" ] && runs_here "$BIN"; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$CACHE_DIR"
CACHE_DIR=$(cd "$CACHE_DIR" && pwd)
BIN=$CACHE_DIR/mediasoup-worker

# Only one download or build per version at a time; whoever waited then
# finds the other's result in the cache.
if command -v flock >/dev/null; then
  exec 9>"$CACHE_DIR/.lock"
  if ! flock -n 9; then
    log "waiting for another download or build of $version to finish"
    flock 9
  fi
  if [ -x "$BIN" ] && runs_here "$BIN"; then
    echo "$BIN"
    exit 0
  fi
fi
if [ -e "$BIN" ]; then
  log "cached $BIN does not run here; replacing it"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/preau-mediasoup-worker.XXXXXX")
PARTIAL=
trap 'rm -rf "$TMP"; [ -z "$PARTIAL" ] || rm -f "$PARTIAL"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Copy $1 into the cache under a temporary name and rename it into place, so a
# killed run never leaves a partial binary behind. $2 says where it came from.
cache_bin() {
  PARTIAL=$(mktemp "$CACHE_DIR/.origin.XXXXXX")
  printf '%s\n' "$2" >"$PARTIAL"
  chmod 644 "$PARTIAL"
  mv -f "$PARTIAL" "$CACHE_DIR/origin"
  PARTIAL=$(mktemp "$CACHE_DIR/.mediasoup-worker.XXXXXX")
  cp "$1" "$PARTIAL"
  chmod 755 "$PARTIAL"
  mv -f "$PARTIAL" "$BIN"
  PARTIAL=
  log "cached $BIN ($2)"
}

# c. mediasoup's prebuilt binary: the same URL its npm-scripts.mjs uses, a
# .tgz holding just the mediasoup-worker file.
prebuilt_url() {
  local platform arch name
  case $(uname -s) in
    Linux) platform=linux ;;
    Darwin) platform=darwin ;;
    *) return 1 ;;
  esac
  case $(uname -m) in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) return 1 ;;
  esac
  name=mediasoup-worker-$version-$platform-$arch
  [ "$platform" = linux ] && name=$name-kernel$(uname -r | cut -d. -f1)
  echo "${MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL:-https://github.com/versatica/mediasoup/releases/download}/$version/$name.tgz"
}

if [ "${PREAU_MEDIASOUP_NO_PREBUILT:-}" != 1 ] && command -v curl >/dev/null && url=$(prebuilt_url); then
  log "trying the prebuilt worker $url"
  # Give up within 10 s when the host is unreachable or the transfer stalls.
  if ! curl -fsSL --connect-timeout 10 --speed-limit 1024 --speed-time 10 \
    -o "$TMP/prebuilt.tgz" "$url" 2>"$TMP/curl.err"; then
    log "no prebuilt worker: $(head -c 300 "$TMP/curl.err" | tr '\n' ' ')"
  elif mkdir "$TMP/prebuilt" && tar xzf "$TMP/prebuilt.tgz" -C "$TMP/prebuilt" mediasoup-worker &&
    runs_here "$TMP/prebuilt/mediasoup-worker"; then
    cache_bin "$TMP/prebuilt/mediasoup-worker" "prebuilt $url"
    echo "$BIN"
    exit 0
  else
    log "the prebuilt worker does not run on this machine"
  fi
fi

# d. Build from source.
log "building mediasoup-worker $version from source (5-10 minutes on 2 cores)"
start=$(date +%s)
WORK=$TMP/build "$ROOT/sfu/worker-build/build.sh" "$version" >&2
[ -x "$TMP/build/mediasoup-worker" ] || die "build.sh produced no binary"
log "built in $(($(date +%s) - start)) s"
cache_bin "$TMP/build/mediasoup-worker" "built from source by sfu/worker-build/build.sh"
echo "$BIN"
