#!/usr/bin/env bash
# Installs everything the project needs on a bare machine. Idempotent, and quick once done: each step checks a
# pinned version in the cache ($HPS_CACHE) before doing any work.
source "$(dirname "$0")/env.sh"
here="$HPS_ROOT/scripts"
bash "$here/install-node.sh"
bash "$here/install-postgres.sh"
bash "$here/install-moto.sh"
bash "$here/install-heroku-cli.sh"
cd "$HPS_ROOT"
lock_sum=$(sha1sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.hps-lock || "$(cat node_modules/.hps-lock)" != "$lock_sum" ]]; then
  # `npm install` installs exactly what package-lock.json pins; `npm ci` would be the usual choice, but npm 11.19
  # refuses this lock file because it leaves other platforms' optional bindings (@unrs/resolver-binding-*) out.
  npm install --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.hps-lock
fi
bash "$here/install-pulumi.sh" >/dev/null
bash "$here/pack-fixture.sh"
