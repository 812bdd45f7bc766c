#!/usr/bin/env bash
# Starts tslab from the project root whatever folder the notebook lives in: tslab compiles
# local .ts imports only below its working directory (tslab issue 63), so notebooks import
# the public API as "./src/index" and read data paths relative to the project root.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
exec node "$root/node_modules/tslab/bin/tslab" kernel --config-path "$1"
