# Sourced by ./preau and .ci/run: the Debian packages Préau needs, installed
# when missing. As root they are installed with apt; otherwise they are named
# and the command stops, since nothing else can install them.
#
# start: the toolchain and libraries that build mediasoup's worker offline
#        (needed once, while the worker is not yet in the cache), and ffmpeg,
#        which records live classes from the SFU.
# test:  the above, plus Chromium for end-to-end tests and PostgreSQL and
#        Redis for the contract and scale-out tests, and HAProxy, the load
#        balancer of the local cluster.
PREAU_START_PACKAGES=(g++ pkg-config meson ninja-build patch
  libssl-dev libuv1-dev libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler
  ffmpeg)
PREAU_TEST_PACKAGES=("${PREAU_START_PACKAGES[@]}" chromium postgresql redis-server haproxy fonts-dejavu-core)

# ensure_debian_packages PACKAGE...: installs the missing ones (quietly, log in
# $PREAU_LOG_DIR when set) or names them and fails.
ensure_debian_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "preau: these Debian packages are missing; install them as root, then run again:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    return 1
  fi
  local SUDO=
  [ "$(id -u)" = 0 ] || SUDO=sudo
  local log=${PREAU_LOG_DIR:-/tmp}/apt.log
  echo "preau: installing Debian packages: ${missing[*]} (log: $log)" >&2
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 || {
    echo "preau: apt-get failed; see $log" >&2
    return 1
  }
}
