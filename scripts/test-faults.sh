#!/usr/bin/env bash
# npm run test:faults: the fault suite (kills Asterisk and the worker, restarts PostgreSQL,
# takes the CRM down, fuzzes the API). Builds first: the API and worker run as real processes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
install_deps
ensure_host_tools
ensure_chroot
build
npx jest --config jest.faults.config.js --ci --runInBand "$@"
