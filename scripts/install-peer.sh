#!/usr/bin/env bash
# Builds the peer the benchmark compares with (bench/README.md, "Peer comparison"): the Terraform provider
# davidji99/terraform-provider-herokux, and OpenTofu when the machine has no `terraform`, both from the Go module
# proxy like the Pulumi CLI (scripts/install-pulumi.sh). Idempotent: each build is skipped when the cached
# binary is there for the pinned version. Prints the CLI to use (`terraform` or the cached `tofu`) on its last line,
# then the provider's directory.
source "$(dirname "$0")/env.sh"
HEROKUX_VERSION="1.4.7"
OPENTOFU_VERSION="1.10.7"
peer="$HPS_CACHE/peer"
mkdir -p "$peer"

# `go install ...@v1.4.7` fails (the proxy refuses herokux's version list), but `go mod download` of the exact
# version works; the module ships an empty vendor/ that -mod=mod must not see.
build_module() { # module version package output [ldflags]
  local module=$1 version=$2 package=$3 output=$4 ldflags=${5:-"-s -w"}
  local dir src
  dir=$(GOFLAGS=-modcacherw go mod download -json "$module@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n "$dir" && -d "$dir" ]] || { echo "install-peer: go mod download $module@v$version gave no directory" >&2; exit 1; }
  src=$(mktemp -d)
  trap 'rm -rf "$src"' RETURN
  cp -r "$dir/." "$src"
  chmod -R u+w "$src"
  if [[ -d "$src/vendor" && -z "$(find "$src/vendor" -name '*.go' -print -quit)" ]]; then rm -rf "$src/vendor"; fi
  echo "building $module v$version" >&2
  ( cd "$src" && GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$output.tmp" "$package" )
  mv "$output.tmp" "$output"
}

# Terraform's dev_overrides point at a directory holding terraform-provider-<name>; the version is in the path,
# so a new pin builds beside the old one instead of reusing it.
herokux_dir="$peer/herokux-v$HEROKUX_VERSION"
if [[ ! -x "$herokux_dir/terraform-provider-herokux" ]]; then
  mkdir -p "$herokux_dir"
  build_module github.com/davidji99/terraform-provider-herokux "$HEROKUX_VERSION" . \
    "$herokux_dir/terraform-provider-herokux"
fi

# HPS_PEER_CLI=tofu builds and uses OpenTofu even where terraform is installed.
if [[ "${HPS_PEER_CLI:-}" != "tofu" ]] && command -v terraform >/dev/null 2>&1; then
  cli=terraform
else
  tofu="$peer/opentofu/bin/tofu"
  if [[ ! -x "$tofu" || "$("$tofu" version 2>/dev/null | head -n 1)" != "OpenTofu v$OPENTOFU_VERSION" ]]; then
    mkdir -p "$(dirname "$tofu")"
    # OpenTofu's go.mod has a replace line, which `go install mod@version` refuses: build the downloaded module.
    # version.dev=no drops the "-dev" suffix a source build otherwise reports.
    build_module github.com/opentofu/opentofu "$OPENTOFU_VERSION" ./cmd/tofu "$tofu" \
      "-s -w -X github.com/opentofu/opentofu/version.dev=no"
  fi
  cli=$tofu
fi
echo "$cli"
echo "$herokux_dir"
