#!/usr/bin/env bash
# npm run bench: benchmarks against their baselines (see bench/run.ts), results in bench/results.json.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
install_deps
ensure_chroot
build
npx tsx bench/run.ts "$@"
