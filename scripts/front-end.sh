#!/usr/bin/env bash
# Opens the notebooks in a Jupyter front end, with the project's kernel ("TypeScript (massive-activations)") found
# through JUPYTER_PATH. `npm run lab` asks for JupyterLab, `npm run notebook` for the Notebook interface; either takes
# the other when only that one is installed (Debian ships the classic Notebook 6.4 as `jupyter-notebook`, the conda
# environment in environment.yml JupyterLab), and says what to install when neither is.
# Usage: scripts/front-end.sh lab|notebook [extra jupyter options, e.g. --no-browser --port 8899]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="${1:-lab}"
shift || true
case "$want" in lab|notebook) ;; *) echo "front-end.sh: expected 'lab' or 'notebook', got '$want'" >&2; exit 2 ;; esac

has() { command -v "jupyter-$1" >/dev/null 2>&1; }
if has "$want"; then
  use="$want"
else
  other=$([[ "$want" == lab ]] && echo notebook || echo lab)
  if has "$other"; then
    use="$other"
    echo "[front-end] jupyter-$want is not installed; opening the $([[ "$other" == lab ]] && echo JupyterLab || echo Notebook) interface instead (jupyter-$other)" >&2
  else
    echo "[front-end] no Jupyter front end is installed (neither jupyter-lab nor jupyter-notebook). Install one:" >&2
    echo "  Debian/Ubuntu (as root): apt-get install --no-install-recommends jupyter-notebook   (bash scripts/setup.sh does it)" >&2
    echo "  conda:                   conda env create -f environment.yml && conda activate massive-activations   (JupyterLab)" >&2
    exit 1
  fi
fi
[[ -f "$root/node_modules/tslab/bin/tslab" ]] || { echo "[front-end] node_modules is missing: run 'bash scripts/setup.sh' (or npm ci) first" >&2; exit 1; }
# The kernel rebuilds lib/ on start when src/ changed; building it now lets the first kernel start at once.
node "$root/scripts/build-lib.cjs" --if-stale
export JUPYTER_PATH="$root${JUPYTER_PATH:+:$JUPYTER_PATH}"
dir=(--notebook-dir="$root/notebooks")
for a in "$@"; do [[ "$a" == --notebook-dir=* || "$a" == --ServerApp.root_dir=* ]] && dir=(); done
# Jupyter refuses to run as root without --allow-root; root is the usual user in containers and fresh machines.
root_ok=()
[[ $(id -u) -eq 0 ]] && root_ok=(--allow-root) && echo "[front-end] running as root: passing --allow-root" >&2
exec "jupyter-$use" "${dir[@]}" "${root_ok[@]}" "$@"
