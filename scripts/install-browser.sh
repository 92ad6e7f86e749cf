#!/usr/bin/env bash
# The review site's browser tests need Playwright (pip) and Debian's Chromium (apt-get; no
# browser download). Installs each only when missing, so running it again does nothing.
set -euo pipefail
if ! python3 -c "import playwright.sync_api" 2>/dev/null; then
    python3 -m pip install -q playwright
fi
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
