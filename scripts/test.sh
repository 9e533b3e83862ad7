#!/usr/bin/env bash
# npm test: installs what the tests need (npm packages, the Asterisk chroot) and runs every
# test: lint (types, ESLint with no warning, Prettier), the OpenAPI document's checks, unit, end-to-end against the real PostgreSQL, Asterisk
# and SIP test peers, then the fault suite (kills Asterisk and the worker, restarts
# PostgreSQL, fuzzes the API) on the built API and worker.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
set -e
install_deps
ensure_host_tools
ensure_chroot
npx tsc -p tsconfig.json --noEmit
build
set +e

results="$(mktemp -d)/jest"
status=0
# Lint: ESLint (type-checked rules, zero warnings, files under 300 lines) and Prettier; a
# failure counts as one failed test in the last line.
lint_failed=0
npx --no -- eslint --max-warnings 0 apps libs test bench scripts asterisk migrations || lint_failed=$((lint_failed + 1))
npx --no -- prettier --check --log-level warn "**/*.{ts,mjs,json}" || lint_failed=$((lint_failed + 1))
[ "$lint_failed" -eq 0 ] || status=1
# The committed OpenAPI document (docs/openapi.json) matches the code and passes Redocly's
# recommended rules with no error; each counts as one test in the last line.
openapi_failed=0
node dist/scripts/openapi.js --check || openapi_failed=$((openapi_failed + 1))
npx --no -- redocly lint --extends recommended docs/openapi.json || openapi_failed=$((openapi_failed + 1))
[ "$openapi_failed" -eq 0 ] || status=1
npx jest --config jest.unit.config.js --ci --json --outputFile="$results.unit.json" "$@" || status=1
npx jest --config jest.e2e.config.js --ci --runInBand --json --outputFile="$results.e2e.json" "$@" || status=1
npx jest --config jest.faults.config.js --ci --runInBand --json --outputFile="$results.faults.json" "$@" || status=1

CHECKS_FAILED="$((openapi_failed + lint_failed))" node -e '
  const checksFailed = Number(process.env.CHECKS_FAILED);
  let passed = 4 - checksFailed, failed = checksFailed, skipped = 0;
  for (const file of process.argv.slice(1)) {
    try {
      const r = require(file);
      passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
      skipped += r.numPendingTests + r.numTodoTests;
    } catch { failed += 1; }
  }
  console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results.unit.json" "$results.e2e.json" "$results.faults.json"
rm -rf "$(dirname "$results")"
exit $status
