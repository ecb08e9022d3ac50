#!/usr/bin/env bash
# Installs what tests/test_browser.py needs, from the Debian and npm registries only:
#   - Debian's chromium (the browser the test drives, /usr/bin/chromium);
#   - node and npm, from Debian, if this machine has no npm;
#   - the npm packages pinned by package-lock.json: playwright-core (the driver; it never
#     downloads a browser) and the widget JavaScript the book page loads from CDNs
#     (require.js and @jupyter-widgets/html-manager), which the test serves locally.
# Idempotent: a second run only compares two files and exits.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export DEBIAN_FRONTEND=noninteractive

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "browser-deps: need root (or sudo) to apt-get install ${missing[*]}" >&2
            exit 1
        }
        sudo="sudo"
    fi
    echo "browser-deps: apt-get install ${missing[*]}"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci rebuilds node_modules from the lock file; skip it when the installed tree was made
# from this very lock file (npm ci wipes node_modules first, so the stamp goes with it).
stamp="$here/node_modules/.streamnets-lock"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
    echo "browser-deps: npm ci in $here"
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$here/package-lock.json" "$stamp"
fi
