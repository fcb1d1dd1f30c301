#!/usr/bin/env bash
# Installs the Debian packages hat needs to build, run and test, when any is
# missing.  Sourced by scripts/run and scripts/test; safe to run repeatedly.
set -euo pipefail

HAT_DEPS=(build-essential cmake pkg-config libmicrohttpd-dev libsqlite3-dev libpq-dev postgresql
          libsodium-dev libjansson-dev libcmocka-dev sqlite3 python3 tzdata curl
          openssl)

hat_install_deps() {
  local missing=()
  for p in "${HAT_DEPS[@]}" "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The browser tests: Debian's chromium, Node.js and npm, and playwright-core
# from the npm registry (the version pinned in package.json).  Playwright's
# own browser download is never used: the tests drive /usr/bin/chromium.
hat_install_web_deps() {
  local extra=(chromium)
  command -v node >/dev/null 2>&1 || extra+=(nodejs)
  command -v npm >/dev/null 2>&1 || extra+=(npm)
  hat_install_deps "${extra[@]}"
  # Installs when any package pinned in package.json is missing.
  if ! node -e 'const fs = require("fs"); const p = require("./package.json");
      for (const d of Object.keys(Object.assign({}, p.dependencies, p.devDependencies)))
        if (!fs.existsSync("node_modules/" + d + "/package.json")) process.exit(1);' \
      >/dev/null 2>&1; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent
  fi
}

# Configures (once) and builds into $1 with the remaining CMake options.
# The compiler's chatter goes to $1/build.log, shown only when it fails.
hat_build() {
  local dir=$1; shift
  mkdir -p "$dir"
  echo "building into $dir"
  if ! { cmake -S . -B "$dir" "$@" && cmake --build "$dir" -j "$(nproc)"; } >"$dir/build.log" 2>&1; then
    cat "$dir/build.log"
    echo "build failed (log: $dir/build.log)" >&2
    return 1
  fi
}
