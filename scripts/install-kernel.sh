#!/usr/bin/env bash
# Installs the project's tslab kernel ("TypeScript (massive-activations)", name tslab) for the current user, with the
# project's absolute path in the kernel spec (argv and MASSIVE_ROOT), so Jupyter, JupyterLab and VS Code find it
# without JUPYTER_PATH and notebooks anywhere on disk run from this project root. Extra arguments go to
# `jupyter kernelspec install` (e.g. --name massive, or --sys-prefix instead of the default --user).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ -f "$root/node_modules/tslab/bin/tslab" ]] || { echo "install-kernel: $root/node_modules/tslab is missing: run npm ci first" >&2; exit 1; }
command -v jupyter >/dev/null || { echo "install-kernel: jupyter is not on PATH (scripts/setup.sh or environment.yml installs it)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tslab"
cp "$root/kernels/tslab/start-kernel.sh" "$tmp/tslab/start-kernel.sh"
ROOT="$root" node -e '
  const fs = require("fs");
  const spec = JSON.parse(fs.readFileSync(process.env.ROOT + "/kernels/tslab/kernel.json", "utf8"));
  spec.argv = ["bash", process.env.ROOT + "/kernels/tslab/start-kernel.sh", "{connection_file}"];
  spec.env = { ...(spec.env || {}), MASSIVE_ROOT: process.env.ROOT };
  fs.writeFileSync(process.argv[1], JSON.stringify(spec, null, 1) + "\n");
' "$tmp/tslab/kernel.json"
scope=(--user)
for a in "$@"; do case "$a" in --user|--sys-prefix|--prefix|--prefix=*) scope=() ;; esac; done
jupyter kernelspec install "${scope[@]}" --name tslab "$@" "$tmp/tslab"
echo "kernel 'TypeScript (massive-activations)' installed for the project at $root" >&2
