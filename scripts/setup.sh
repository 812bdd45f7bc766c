#!/usr/bin/env bash
# Installs what the project needs, quickly when everything is there already:
#   - npm packages from the lockfile (npm ci) when node_modules is missing or older than package-lock.json;
#   - on Debian/Ubuntu as root, the Debian packages below when missing (Jupyter's nbconvert for headless notebooks,
#     Chromium and fonts for figure export, poppler for PDF checks); elsewhere a message pointing to environment.yml.
#     Exactly these packages and their dependencies, without Debian's "recommended" extras (avahi-daemon, Tk, pandoc,
#     CUPS helpers, matplotlib, Slurm's database plugins, ...): none of them is used, see docs/setup.md for what
#     each package is for and how a fresh Debian 12 was checked.
# Usage: scripts/setup.sh [--test]   (--test adds what only the test suite needs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEBS=(jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel jupyter-notebook chromium fonts-liberation2 poppler-utils)
if [[ "${1:-}" == "--test" ]]; then
  DEBS+=(slurm-wlm munge python3-scipy python3-sklearn)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "[setup] installing Debian packages: ${missing[*]}" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
      echo "[setup] missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]};" \
           "or use the conda environment: conda env create -f environment.yml)" >&2
    fi
  fi
elif ! command -v jupyter >/dev/null 2>&1; then
  echo "[setup] not a Debian system: install Jupyter and Node 20 with 'conda env create -f environment.yml'" \
       "and a Chromium for figure export (set CHROMIUM_PATH)" >&2
fi

if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[setup] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
