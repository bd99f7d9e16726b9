#!/usr/bin/env bash
# The web clients' build, called by Maven (im-web/pom.xml): `build.sh build` installs the npm packages from the
# lockfile when they changed and builds the TypeScript SDK and the web chat page; `build.sh test` runs their unit
# tests. Without Node.js 20+ and npm it says so loudly and builds nothing: the jar then carries no web chat page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
step="${1:?usage: build.sh build|test}"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "[im-web] ########################################################################" >&2
  echo "[im-web] WARNING: node/npm not found: the TypeScript SDK and the web chat page are NOT built" >&2
  echo "[im-web] (and their tests not run); install Node.js 20 or newer (Debian: apt-get install nodejs npm)" >&2
  echo "[im-web] ########################################################################" >&2
  exit 0
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "[im-web] Node.js $(node --version) is too old: the web build needs Node.js 20 or newer" >&2
  exit 1
fi

# npm ci wipes node_modules: only when the lockfile changed since the last install
install_if_needed() {
  local stamp=node_modules/.magpie-lock.sha256 want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "[im-web] npm ci (package-lock.json changed or first build)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}

case "$step" in
  build)
    install_if_needed
    npm run build --workspaces --if-present
    ;;
  test)
    install_if_needed
    npm run test:unit --workspaces --if-present # the build step just built what they test
    ;;
  *)
    echo "build.sh: unknown step '$step' (build|test)" >&2
    exit 2
    ;;
esac
