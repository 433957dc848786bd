#!/usr/bin/env bash
# Build mediasoup's C++ worker (mediasoup-worker) without GitHub or wrapdb.
#
# `npm install mediasoup` normally downloads a prebuilt worker from GitHub, or
# builds one with pip-installed meson, which in turn downloads the worker's
# dependencies from GitHub and wrapdb. Neither is reachable on many school
# networks. Here the sources come from the npm tarball, the dependencies from
# Debian packages, and each meson subproject the worker asks for is replaced
# by a small shim in shims/ that wraps the Debian library. patches/ holds the
# one source fix the Debian libraries need.
#
# Usage: sfu/worker-build/build.sh [VERSION]
#   VERSION     mediasoup version (default: $MS_VERSION, else 3.27.1); the
#               shims and patches are written for 3.27.1.
# Env:
#   WORK        work directory (default: a new temporary directory)
#   MS_TARBALL  a local mediasoup-VERSION.tgz to use instead of `npm pack`
#   KEEP_WORK=1 keep the unpacked sources and meson build directory
# Result: $WORK/mediasoup-worker; its path is the last line on stdout.
# Takes 5-10 minutes on 2 cores. Run as root to have missing Debian
# packages installed; otherwise the script lists them and stops.
set -euo pipefail

MS_VERSION=${1:-${MS_VERSION:-3.27.1}}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { echo "build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $MS_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad mediasoup version '$MS_VERSION'"

# 1. Debian packages: the toolchain and the libraries the shims wrap.
DEB_PACKAGES=(g++ pkg-config meson ninja-build patch
  libssl-dev libuv1-dev libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler)
if command -v dpkg-query >/dev/null; then
  missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing Debian packages; run: sudo apt-get install ${missing[*]}"
    log "installing ${missing[*]}"
    apt_install() {
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install \
        -y -qq --no-install-recommends "${missing[@]}" >&2
    }
    # Only refresh the package lists if installing from the current ones fails.
    apt_install || { apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && apt_install; }
  fi
else
  log "not a Debian system: the equivalents of ${DEB_PACKAGES[*]} must be installed"
fi

# 2. Sources: the npm tarball, with our patches and shims applied.
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")
fi
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
cd "$WORK"
rm -rf package mediasoup-worker
if [ -n "${MS_TARBALL:-}" ]; then
  tarball=$MS_TARBALL
else
  log "fetching mediasoup@$MS_VERSION from the npm registry"
  rm -f "mediasoup-$MS_VERSION.tgz"
  npm pack -q --prefer-offline "mediasoup@$MS_VERSION" >/dev/null
  tarball=$WORK/mediasoup-$MS_VERSION.tgz
fi
tar xzf "$tarball"
grep -q "\"version\": \"$MS_VERSION\"" package/package.json ||
  die "$tarball is not mediasoup $MS_VERSION"

for p in "$HERE"/patches/*.patch; do
  patch -d package -p1 -s --dry-run <"$p" >/dev/null ||
    die "$(basename "$p") does not apply to mediasoup $MS_VERSION"
  patch -d package -p1 -s <"$p"
done

# Debian bookworm ships meson 1.0.1; the worker asks for >= 1.1.0 but builds
# the same binary with 1.0.1.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" package/worker/meson.build

# Put each shim where its wrap's `directory =` points, so meson uses it
# instead of downloading. wingetopt is Windows-only and catch2 only serves the
# worker's unit tests (ms_build_tests=false), so meson never asks for them.
for wrap in package/worker/subprojects/*.wrap; do
  name=$(basename "$wrap" .wrap)
  case $name in wingetopt | catch2) continue ;; esac
  [ -d "$HERE/shims/$name" ] || die "no shim for subproject '$name' (mediasoup $MS_VERSION)"
  dir=$(sed -n 's/^directory *= *//p' "$wrap")
  cp -r "$HERE/shims/$name" "package/worker/subprojects/$dir"
done

# 3. Configure and build with the flags of mediasoup's own Release build.
cd package/worker
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true build
meson compile -C build flatbuffers-generator # the FBS headers must exist first
meson compile -C build -j "$(nproc)" mediasoup-worker
install -m 755 build/mediasoup-worker "$WORK/mediasoup-worker"
cd "$WORK"
[ "${KEEP_WORK:-}" = 1 ] || rm -rf package "mediasoup-$MS_VERSION.tgz"

# Without MEDIASOUP_VERSION in its environment the worker exits with 41: a
# cheap check that it loads and runs on this machine.
rc=0
env -i "$WORK/mediasoup-worker" </dev/null >/dev/null 2>&1 || rc=$?
[ "$rc" = 41 ] || die "the built worker does not run (exit code $rc)"
echo "$WORK/mediasoup-worker"
