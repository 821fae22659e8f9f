#!/usr/bin/env bash
# Builds the package, packs it as npm would publish it, and installs the tarball's contents into the fixture
# project .run/pkg, from which the demo, the examples and the e2e tests run (see scripts/stack.ts).
source "$(dirname "$0")/env.sh"
cd "$HPS_ROOT"
npm run --silent build
fixture="$HPS_ROOT/.run/pkg"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" >/dev/null
rm -rf "$fixture/node_modules/heroku-pg-secure"
mkdir -p "$fixture/node_modules"
tar -xzf "$tmp"/heroku-pg-secure-*.tgz -C "$tmp"
mv "$tmp/package" "$fixture/node_modules/heroku-pg-secure"
# Its own package.json ends the repository's package scope, so `heroku-pg-secure` is not self-resolved to the
# repository's dist/ but found in the fixture's node_modules; dependencies resolve upwards to the repository's.
echo '{ "name": "hps-fixture", "private": true }' > "$fixture/package.json"
