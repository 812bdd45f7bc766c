#!/bin/bash
# A/B: session 5's model code (24b4a04) vs HEAD, 70m with logits, alternated; the bench file is HEAD's in both.
for i in 1 2; do
  for side in old new; do
    d=/work/main; [[ $side == old ]] && d=/tmp/R/old
    (cd $d && MASSIVE_BACKEND=wasm timeout 600 npx tsx bench/forward/run.ts --models 70m --tokens 2048 --reps 3 --json /tmp/R/ab-$side-$i.json 2>&1 | grep -E "^pythia|^matmul" | sed "s/^/$side $i: /")
  done
done
