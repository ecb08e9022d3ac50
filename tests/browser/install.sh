#!/usr/bin/env bash
# Installs what the browser page and tests/test_browser*.py need, from the Debian and npm
# registries only:
#   - Debian's chromium (the browser the test drives, /usr/bin/chromium);
#   - node and npm, from Debian, if this machine has no npm;
#   - the npm package pinned by package-lock.json: playwright-core (the driver; it never
#     downloads a browser);
#   - the packages pinned by book/browser/package-lock.json, which the book build copies
#     into the HTML so that no page loads anything from a CDN: LiteRT.js (@litertjs/core
#     and @litertjs/wasm-utils) next to the "In your browser" page, and MathJax, require.js
#     and @jupyter-widgets/html-manager into _static/vendor/ (book/vendor_assets.py).
# With --page, only what the book build needs: node/npm and the page's packages (no
# chromium, no test packages). Idempotent: a second run only compares files and exits.
set -euo pipefail

page_only=false
[ "${1:-}" = "--page" ] && page_only=true

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export DEBIAN_FRONTEND=noninteractive

missing=()
$page_only || [ -x /usr/bin/chromium ] || missing+=(chromium)
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
# Two package folders: this one (the test driver) and what the book's pages load
# (book/browser/package.json).
folders=("$here/../../book/browser")
$page_only || folders+=("$here")
for folder in "${folders[@]}"; do
    folder="$(cd "$folder" && pwd)"
    stamp="$folder/node_modules/.streamnets-lock"
    if ! cmp -s "$folder/package-lock.json" "$stamp"; then
        echo "browser-deps: npm ci in $folder"
        (cd "$folder" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
        cp "$folder/package-lock.json" "$stamp"
    fi
done
