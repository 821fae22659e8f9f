#!/usr/bin/env bash
# Builds the real Pulumi CLI from the Go module proxy (the prebuilt binary cannot be downloaded here) and puts
# the dynamic-provider plugin script of the same @pulumi/pulumi version and the policy-pack plugin beside it.
# Idempotent: skipped when the cached binary already reports the pinned version. See docs in README "Toolchain".
source "$(dirname "$0")/env.sh"
bin="$HPS_CACHE/pulumi/bin"
mkdir -p "$bin"
if [[ -x "$bin/pulumi" && "$("$bin/pulumi" version 2>/dev/null)" == "v$PULUMI_VERSION" ]]; then
  have_cli=1
else
  have_cli=0
fi

if (( ! have_cli )); then
  work="$HPS_CACHE/pulumi/build"
  mkdir -p "$work"
  cd "$work"
  # pkg/go.mod carries replace lines, which `go install mod@version` refuses; a wrapper module copies the
  # third-party one and lets the sdk require stand in for pkg's `../sdk` replace.
  cat > go.mod <<MOD
module hps.local/pulumi-build

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
  echo "resolving the Pulumi CLI's module graph (first run downloads several hundred MB)" >&2
  GOFLAGS=-mod=mod go mod tidy
  echo "building pulumi v$PULUMI_VERSION" >&2
  GOFLAGS=-mod=mod go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
fi

# The plugin that hosts dynamic providers is a script at the root of the @pulumi/pulumi npm package.
if [[ ! -x "$bin/pulumi-resource-pulumi-nodejs" ]]; then
  tmp=$(mktemp -d)
  ( cd "$tmp" && npm pack --silent "@pulumi/pulumi@$PULUMI_VERSION" >/dev/null 2>&1 )
  tar -xzf "$tmp"/pulumi-pulumi-*.tgz -C "$tmp" package/pulumi-resource-pulumi-nodejs
  install -m 0755 "$tmp/package/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
  rm -rf "$tmp"
fi
# Policy packs: with no Node.js language host installed, the CLI runs a plugin named
# pulumi-analyzer-policy-nodejs from the policy pack's folder with the engine address and "." (pkg/resource/plugin/
# analyzer_plugin.go in the Pulumi sources, NewPolicyAnalyzer). As upstream's script of that name, it runs
# @pulumi/pulumi/cmd/run-policy-pack resolved from that folder, so the pack uses its own @pulumi/pulumi.
policy_plugin="$bin/pulumi-analyzer-policy-nodejs"
if [[ ! -x "$policy_plugin" ]]; then
  cat > "$policy_plugin.tmp" <<'SH'
#!/bin/sh
PULUMI_RUN_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")
if [ -n "$PULUMI_RUN_SCRIPT_PATH" ]; then
    exec node "$PULUMI_RUN_SCRIPT_PATH" "$@"
fi
echo "pulumi-analyzer-policy-nodejs: @pulumi/pulumi is not installed where the policy pack is ($(pwd))" >&2
exit 1
SH
  chmod 0755 "$policy_plugin.tmp"
  mv "$policy_plugin.tmp" "$policy_plugin"
fi
"$bin/pulumi" version
