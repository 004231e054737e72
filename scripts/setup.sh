#!/usr/bin/env bash
# Installs the Debian packages emu needs (idempotent: apt runs only when one is
# missing), configures and builds into build/, then boots the bundled kernel.
#   scripts/setup.sh            install + build + boot
#   scripts/setup.sh --deps     install only
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  gcc binutils meson ninja-build pkg-config cmake
  libzydis-dev libelf-dev libdw-dev libcmocka-dev libreadline-dev libsdl2-dev
  qemu-system-x86 xvfb xauth
  strace   # tests/trace/strace_oracle: emu trace's decoder against strace itself
)

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

install_deps
[ "${1:-}" = "--deps" ] && exit 0

[ -d build ] || meson setup build --buildtype=release -Db_ndebug=if-release >/dev/null
ninja -C build >/dev/null
echo "setup: built build/emu; booting the bundled kernel (emu run)" >&2
exec ./build/emu run
