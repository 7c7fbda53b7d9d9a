#!/usr/bin/env bash
# Installs and builds everything RingKernels needs on a fresh Debian 12 machine.
#
#   scripts/bootstrap.sh [--cuda] [--hip]
#
# Idempotent: every step checks whether its result already exists and is skipped if so.
# Results live in .deps/ (git-ignored) inside the checkout:
#   .deps/install/kokkos-host   Kokkos 3.4.01, Serial + OpenMP + hwloc
#   .deps/install/kokkos-cuda   Kokkos 3.4.01, Serial + CUDA (only with --cuda), patched for CUDA 13
#   .deps/install/kokkos-hip    Kokkos 3.4.01, Serial + HIP for gfx90a (only with --hip; installs
#                               Debian's hipcc 5.2.3), patched to know gfx90a (MI200/MI250X)
#   .deps/install/catch2        Catch2 v3 (Debian trixie's source package)
#   .deps/kokkos5/include       Kokkos 5.2 headers (Debian sid's binary package), for a compile check
#
# A user-provided Kokkos (Kokkos_ROOT or CMAKE_PREFIX_PATH containing KokkosConfig.cmake) skips the
# Kokkos build: users on clusters bring their own (Spack, modules).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
WANT_CUDA=0
WANT_HIP=0
for arg in "$@"; do
  case "$arg" in
    --cuda) WANT_CUDA=1 ;;
    --hip) WANT_HIP=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# Pinned versions: the only sources reachable here are Debian's archives.
TRILINOS_VERSION=13.2.0-4      # bookworm; carries Kokkos 3.4.01 in packages/kokkos
CATCH2_VERSION=3.7.1-0.5       # trixie
KOKKOS5_VERSION=5.2.2-2        # sid, binary package (headers only are used)

SECONDS=0
step_start=0
step() { step_start=$SECONDS; echo "[bootstrap] $*"; }
done_step() { echo "[bootstrap]   done in $((SECONDS - step_start)) s"; }
skip() { echo "[bootstrap] $* (already there, skipped)"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. Debian packages -----------------------------------------------------------------------
PACKAGES=(cmake ninja-build g++ pkg-config python3-matplotlib libhwloc-dev libspdlog-dev libfmt-dev
          clang clang-format libclang-rt-14-dev xz-utils ca-certificates
          libcaf-dev   # the C++ Actor Framework: the peer `bench actors` compares against
          nlohmann-json3-dev  # JSON output (header-only, build-time only)
          libcli11-dev        # the tool's command line (header-only, build-time only)
          prometheus-cpp-dev curl)  # the metrics endpoint, and the client its test scrapes with
# HIP: clang 15 with AMD's device libraries; compiles for AMD GPUs without one (no GPU here).
# libstdc++ 11 headers: clang 15 crashes on libstdc++ 12's in C++20 (cmake/RingKernelsHipStdlib.cmake).
if [ $WANT_HIP = 1 ]; then PACKAGES+=(hipcc libstdc++-11-dev); fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  done_step
else
  skip "Debian packages"
fi

# --- private apt configuration: the system's sources.list stays untouched ---------------------
APT_DIR="$DEPS/apt"
apt_private() { # $1 = name of a sources file under $APT_DIR, rest = apt-get arguments
  local list="$1"; shift
  mkdir -p "$APT_DIR/lists-$list/partial" "$APT_DIR/cache-$list/archives/partial"
  apt-get -q -o Dir::Etc::SourceList="$APT_DIR/$list.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$APT_DIR/lists-$list" -o Dir::Cache="$APT_DIR/cache-$list" \
    -o APT::Sandbox::User=root "$@"
}
apt_private_update() {
  local list="$1" line="$2"
  mkdir -p "$APT_DIR"
  if [ ! -f "$APT_DIR/$list.updated" ]; then
    echo "$line" > "$APT_DIR/$list.list"
    apt_private "$list" update >/dev/null
    touch "$APT_DIR/$list.updated"
  fi
}

SRC="$DEPS/src"
mkdir -p "$SRC" "$DEPS/install"

# --- 2. Kokkos 3.4.01 from Trilinos' Debian source package ------------------------------------
user_kokkos=""
_prefix_path="${CMAKE_PREFIX_PATH:-}"
for dir in ${Kokkos_ROOT:-} ${_prefix_path//:/ }; do
  if ls "$dir"/lib*/cmake/Kokkos/KokkosConfig.cmake >/dev/null 2>&1; then user_kokkos="$dir"; fi
done
KOKKOS_SRC="$SRC/kokkos-3.4.01"
if [ -n "$user_kokkos" ]; then
  skip "Kokkos build: using the Kokkos found in $user_kokkos"
else
  if [ ! -f "$KOKKOS_SRC/.patched" ]; then
    step "fetching trilinos $TRILINOS_VERSION source (Debian bookworm) for its Kokkos"
    apt_private_update bookworm-src "deb-src http://deb.debian.org/debian bookworm main"
    (cd "$SRC" && [ -f trilinos_13.2.0.orig.tar.gz ] || apt_private bookworm-src source --download-only "trilinos=$TRILINOS_VERSION" >/dev/null)
    rm -rf "$KOKKOS_SRC" "$SRC/Trilinos-trilinos-release-13-2-0"
    tar -C "$SRC" -xzf "$SRC/trilinos_13.2.0.orig.tar.gz" --wildcards '*/packages/kokkos/*'
    mv "$SRC/Trilinos-trilinos-release-13-2-0/packages/kokkos" "$KOKKOS_SRC"
    rm -rf "$SRC/Trilinos-trilinos-release-13-2-0"
    # The CUDA 13 patch also touches only CUDA code paths, so one patched tree serves both builds.
    patch -d "$KOKKOS_SRC" -p1 --quiet < "$ROOT/cmake/patches/kokkos-3.4.01-cuda13.patch"
    touch "$KOKKOS_SRC/.patched"
    done_step
  else
    skip "Kokkos 3.4.01 source"
  fi
  if [ $WANT_HIP = 1 ] && [ ! -f "$KOKKOS_SRC/.patched-hip" ]; then
    # A marker of its own: a tree patched for CUDA by an earlier bootstrap gets this one too.
    patch -d "$KOKKOS_SRC" -p1 --quiet < "$ROOT/cmake/patches/kokkos-3.4.01-hip-gfx90a.patch"
    touch "$KOKKOS_SRC/.patched-hip"
  fi

  build_kokkos() { # $1 = configuration name, rest = extra CMake options
    local name="$1"; shift
    local prefix="$DEPS/install/kokkos-$name"
    if [ -f "$prefix/.complete" ]; then skip "Kokkos ($name)"; return; fi
    step "building Kokkos 3.4.01 ($name) into $prefix"
    rm -rf "$DEPS/build/kokkos-$name" "$prefix"
    mkdir -p "$DEPS/build"
    cmake -S "$KOKKOS_SRC" -B "$DEPS/build/kokkos-$name" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_CXX_STANDARD=17 -DKokkos_ENABLE_SERIAL=ON "$@" \
      > "$DEPS/build/kokkos-$name.configure.log" 2>&1 \
      || { echo "Kokkos configure failed; see $DEPS/build/kokkos-$name.configure.log" >&2; exit 1; }
    cmake --build "$DEPS/build/kokkos-$name" --target install > "$DEPS/build/kokkos-$name.build.log" 2>&1 \
      || { tail -30 "$DEPS/build/kokkos-$name.build.log" >&2
           echo "Kokkos build failed; see $DEPS/build/kokkos-$name.build.log" >&2; exit 1; }
    touch "$prefix/.complete"
    done_step
  }
  build_kokkos host -DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_HWLOC=ON
  if [ $WANT_CUDA = 1 ]; then
    # nvcc_wrapper is Kokkos' compiler driver for CUDA builds; Hopper (sm_90) through the patch.
    export PATH="/usr/local/cuda/bin:$PATH"
    build_kokkos cuda -DKokkos_ENABLE_CUDA=ON -DKokkos_ARCH_HOPPER90=ON \
      -DKokkos_ENABLE_CUDA_LAMBDA=ON -DCMAKE_CXX_COMPILER="$KOKKOS_SRC/bin/nvcc_wrapper"
  fi
  if [ $WANT_HIP = 1 ]; then
    # hipcc is Kokkos 3.4's compiler for HIP builds; gfx90a (MI200/MI250X) through the patch.
    # Without an --offload-arch hipcc asks the (absent) GPU and silently targets gfx803: the
    # architecture option passes it.
    build_kokkos hip -DKokkos_ENABLE_HIP=ON -DKokkos_ARCH_VEGA90A=ON -DCMAKE_CXX_COMPILER=hipcc
  fi
fi

# --- 3. Catch2 v3 from Debian trixie's source package -----------------------------------------
CATCH2_PREFIX="$DEPS/install/catch2"
if [ -f "$CATCH2_PREFIX/.complete" ]; then
  skip "Catch2 v3"
else
  step "building Catch2 $CATCH2_VERSION (Debian trixie source) into $CATCH2_PREFIX"
  apt_private_update trixie-src "deb-src http://deb.debian.org/debian trixie main"
  (cd "$SRC" && ls catch2_3.7.1.orig.tar.gz >/dev/null 2>&1 || apt_private trixie-src source --download-only "catch2=$CATCH2_VERSION" >/dev/null)
  rm -rf "$SRC/Catch2-3.7.1" "$DEPS/build/catch2"
  mkdir -p "$DEPS/build"
  tar -C "$SRC" -xzf "$SRC/catch2_3.7.1.orig.tar.gz"
  cmake -S "$SRC/Catch2-3.7.1" -B "$DEPS/build/catch2" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$CATCH2_PREFIX" -DCMAKE_CXX_STANDARD=17 -DBUILD_TESTING=OFF \
    -DCATCH_INSTALL_DOCS=OFF -DCATCH_INSTALL_EXTRAS=ON > "$DEPS/build/catch2.log" 2>&1
  cmake --build "$DEPS/build/catch2" --target install >> "$DEPS/build/catch2.log" 2>&1 \
    || { echo "Catch2 build failed; see $DEPS/build/catch2.log" >&2; exit 1; }
  touch "$CATCH2_PREFIX/.complete"
  done_step
fi

# --- 4. Kokkos 5.2 headers (compile check only; the package cannot be installed on bookworm) ---
K5="$DEPS/kokkos5"
if [ -f "$K5/.complete" ]; then
  skip "Kokkos 5 headers"
else
  step "fetching libkokkos-dev $KOKKOS5_VERSION (Debian sid) headers into $K5"
  apt_private_update sid "deb http://deb.debian.org/debian sid main"
  mkdir -p "$K5"
  (cd "$K5" && apt_private sid download "libkokkos-dev=$KOKKOS5_VERSION" >/dev/null)
  dpkg-deb -x "$K5"/libkokkos-dev_*.deb "$K5/root"
  ln -sfn "$K5/root/usr/include/kokkos" "$K5/include"
  touch "$K5/.complete"
  done_step
fi

echo "[bootstrap] ready in ${SECONDS} s"
