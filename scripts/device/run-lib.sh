# Sourced by the device-side bench scripts (bench/gpu/session-check.sh, f16-run.sh, attention-f16.sh, attention-tc.sh):
#   unpack_bundle <folder>   <folder>/js.tar.xz (scripts/device/bundle.sh) -> <folder>/js, with the webgpu package
#                            beside it and the fixtures and data its tests read; returns 1 when there is no bundle
#   quiet                    a filter: Dawn's shader-compiler chatter (about 20 lines per float16 shader before
#                            2026-12-02b) stays out of the logs
unpack_bundle() {
  local G=$1; [[ -f $G/js.tar.xz ]] || return 1
  [[ -d .gpu/node_modules ]] && ln -sfn "$PWD/.gpu/node_modules" "$G/node_modules"
  [[ -d $G/js ]] || tar -xJf "$G/js.tar.xz" -C "$G"
  mkdir -p "$G/js/test"; ln -sfn "$PWD/test/fixtures" "$G/js/test/fixtures"; ln -sfn "$PWD/data" "$G/js/data"
  local d; for d in test/*/fixtures; do [[ -d $G/js/$(dirname "$d") ]] && ln -sfn "$PWD/$d" "$G/js/$d"; done
  return 0
}
quiet() { grep --line-buffered -v -E 'deprecated builtin|^\s+\^+\s*$|subgroupMatrix(Load|Store)|^warning:$|^Compilation log|warning\(s\) generated|^\s*$'; }
