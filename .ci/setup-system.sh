#!/usr/bin/env bash
# System services and packages the tests need (run by .ci/run; safe to run twice).
set -euo pipefail

# PostgreSQL on 127.0.0.1:5432 for the store contract tests: start it if it is installed
# but not running (the CI machine normally has it up already).
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
fi

# Redis on 127.0.0.1:6379 for the multi-process tests (tests/scale): start it if it is
# installed but not answering; no persistence, it only holds test keys.
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
    && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi

# Headless Chromium for the browser tests (Debian's package; Playwright drives it through
# executable_path, so no browser download is needed).
if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
