#!/usr/bin/env bash
# The README's main command: installs what is missing, then runs the demo stack against the local emulator.
#   bash scripts/demo.sh            pulumi up + proofs
#   bash scripts/demo.sh destroy    tear it down and stop the local services
source "$(dirname "$0")/env.sh"
bash "$HPS_ROOT/scripts/setup.sh"
exec node "$HPS_ROOT/dist/scripts/demo.js" "$@"
