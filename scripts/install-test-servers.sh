#!/usr/bin/env bash
# Installs the servers the tests start on loopback, if they are missing: s3rver from npm (pinned by
# tests/servers/package-lock.json), PostgreSQL and Chromium from Debian. Called by scripts/test.sh; safe to run again.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

# npm packages: skipped when this exact lock is installed already.
servers=tests/servers
if ! cmp -s "$servers/package-lock.json" "$servers/node_modules/.iris-installed-lock" || [ ! -x "$servers/node_modules/.bin/s3rver" ]; then
  echo "installing the npm test servers (tests/servers: npm ci)"
  if (cd "$servers" && npm ci --no-audit --no-fund --loglevel=error); then
    cp "$servers/package-lock.json" "$servers/node_modules/.iris-installed-lock"
  else
    echo "npm ci in $servers failed: the tests that need s3rver will fail" >&2
    status=1
  fi
fi

# Debian packages, installed only when missing (apt-get needs root, or sudo without a password).
apt_install() {
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); else
      echo "cannot install $* (not root, no sudo): install it yourself with apt-get install $*" >&2
      return 1
    fi
  fi
  echo "installing $* from Debian (apt-get)"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql || { echo "the tests that need PostgreSQL will fail" >&2; status=1; }
fi
# The browser tests (tests/Iris.Console.Tests) drive Debian's Chromium; Playwright never downloads a browser.
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium || { echo "the browser tests (Iris.Console.Tests) will fail: no /usr/bin/chromium" >&2; status=1; }
fi
exit $status
