#!/usr/bin/env bash
# PostgreSQL server from Debian's packages; the emulator runs its own throwaway clusters with it.
source "$(dirname "$0")/env.sh"
if [[ -n "$HPS_PG_BIN" && -x "$HPS_PG_BIN/initdb" && -x "$HPS_PG_BIN/pg_ctl" ]]; then exit 0; fi
if [[ "$(id -u)" != 0 ]]; then
  echo "PostgreSQL server binaries are missing: install the Debian package 'postgresql' (needs root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
ls -d /usr/lib/postgresql/*/bin
