#!/usr/bin/env bash
# The main job on the embedded default (mini-pythia, offline): set-up, then `massive main` (options pass through).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec node bin/massive.cjs main "$@"
