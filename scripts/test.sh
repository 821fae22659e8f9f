#!/usr/bin/env bash
# The one test command: installs what is missing, lints, type-checks (tests and examples included), runs the
# unit, integration and e2e suites, and ends with the line "N passed, N failed" taken from Jest's JSON report.
source "$(dirname "$0")/env.sh"
bash "$HPS_ROOT/scripts/setup.sh"
cd "$HPS_ROOT"
status=0
# On CI's fresh clone, setup must not change tracked files (a rewritten package-lock.json would reinstall every run).
if [[ "${CI:-}" == "true" && -d .git && -n "$(git status --porcelain --untracked-files=no)" ]]; then
  echo "setup changed tracked files on a fresh clone:" >&2
  git status --short --untracked-files=no >&2
  status=1
fi
npm run --silent lint || status=1
npm run --silent typecheck || status=1
mkdir -p .run
report=.run/jest-report.json
rm -f "$report"
npx jest --maxWorkers=2 --json --outputFile="$report" "$@" || status=1
if [[ -f "$report" ]]; then
  node -e '
    const r = require(process.argv[1]);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
  ' "$PWD/$report"
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
