#!/usr/bin/env bash
# `npm run bench [-- --only peer|reference] [-- --fast-only]`: installs what the bench needs (scripts/setup.sh,
# then the peer: scripts/install-peer.sh, which bench/run.ts calls again to learn where it is), then runs it.
# See bench/README.md for the options and how long each part takes.
source "$(dirname "$0")/env.sh"
bash "$HPS_ROOT/scripts/setup.sh"
cd "$HPS_ROOT"
exec node dist/bench/run.js "$@"
