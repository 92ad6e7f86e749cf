#!/usr/bin/env bash
# Get a `dolt` binary for the Dolt-server backend and its tests, and print its path.
# Uses a dolt already on PATH; otherwise builds Dolt from its Go module with `go install`
# (slow the first time on 2 cores, ~6 min; instant afterwards from Go's build cache).
# Elsewhere, DoltHub's installers are the usual way: https://docs.dolthub.com/introduction/installation
set -euo pipefail

# Dolt v1.86.4+ (commit 011a27ff4303, 2026-04-23), as served by the Go module proxy. The v2.3.1
# release commit (b15770fe5882) is refused by the proxy here ("403 This module version is not
# available"), so this is the newest Dolt the proxy serves.
DOLT_MODULE_VERSION="${DOLT_MODULE_VERSION:-v0.40.5-0.20260424001550-011a27ff4303}"

if command -v dolt >/dev/null 2>&1; then
    command -v dolt
    exit 0
fi
gobin="$(go env GOPATH 2>/dev/null)/bin"
if [ -x "$gobin/dolt" ]; then
    echo "$gobin/dolt"
    exit 0
fi
if ! command -v go >/dev/null 2>&1; then
    echo "install-dolt: no dolt on PATH and no Go toolchain to build it;" \
         "see https://docs.dolthub.com/introduction/installation" >&2
    exit 1
fi
echo "install-dolt: building Dolt ${DOLT_MODULE_VERSION} with go install (first build is slow)..." >&2
go install "github.com/dolthub/dolt/go/cmd/dolt@${DOLT_MODULE_VERSION}" >&2
echo "$gobin/dolt"
