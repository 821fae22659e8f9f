# Sourced by every script: where the toolchain lives and the offline settings Pulumi needs.
# The cache sits outside the clone (so CI's fresh clones on the same machine reuse a built CLI) unless
# HPS_CACHE points elsewhere.
set -euo pipefail
HPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HPS_CACHE="${HPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heroku-pg-secure}"
PULUMI_VERSION="3.259.0"
NODE_VERSION="22.23.3"
# The Heroku CLI the conformance tests run against the emulator (scripts/install-heroku-cli.sh).
HEROKU_CLI_VERSION="11.10.0"
mkdir -p "$HPS_CACHE"
export HPS_ROOT HPS_CACHE PULUMI_VERSION NODE_VERSION HEROKU_CLI_VERSION
export PULUMI_HOME="$HPS_CACHE/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-heroku-pg-secure-local}"
export PATH="$HPS_CACHE/pulumi/bin:$HPS_CACHE/node/bin:$PATH"
# PostgreSQL server binaries (Debian's layout); the newest installed major version wins.
HPS_PG_BIN="${HPS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
export HPS_PG_BIN
