#!/usr/bin/env bash
# The real Heroku CLI (npm `heroku`), pinned, for the conformance tests that run it against the emulator. It goes
# into the cache, never into package.json: it is a client under test, not a dependency of the package.
source "$(dirname "$0")/env.sh"
dir="$HPS_CACHE/heroku-cli"
installed=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/heroku/package.json" 2>/dev/null || true)
if [[ "$installed" == "$HEROKU_CLI_VERSION" && -x "$dir/node_modules/.bin/heroku" ]]; then
  exit 0
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "heroku@$HEROKU_CLI_VERSION"
echo "heroku CLI $HEROKU_CLI_VERSION in $dir"
