/**
 * The "lane" work split of the float32 flash attention (./backend-webgpu-attention.ts, MASSIVE_WEBGPU_FLASH=lane;
 * heads of up to 64 dims): one query row per thread, 128 rows per workgroup, the row's q and output in registers
 * (2 x hs floats), key tiles of 64 with K and V in workgroup memory (2 x 64 x hs floats), read by all threads at the
 * same address (a broadcast: one workgroup-memory transaction serves the whole subgroup). The online softmax runs
 * per 16 keys in registers, so P never goes through workgroup memory and there is no reduction across threads: two
 * barriers per key tile (the 8 x 16 tile has 14). Same arithmetic as the other tiles: each score a float32 FMA chain
 * over the dims in order, exp(s - m) per key, the outputs rescaled by exp(m_old - m_new) per 16 keys.
 */

/** Rows (threads) per workgroup, keys per tile, keys per online-softmax step. */
export const LANE_THREADS = 128;
const KEYS = 64;
const SUB = 16;

/** Workgroup memory of the lane program for head size hs, bytes. */
export function laneBytes(hs: number): number {
  return 2 * KEYS * hs * 4 + 4;
}

/**
 * The WGSL of the lane program for head size hs (a multiple of 4, at most 64), reading [3, B*H, T, hs] (rotarySplit)
 * as vec4 and writing the merged context [B*T, H*hs] (vec4, or with `half` float16 bits as vec2<i32>).
 */
export function laneFlashCode(hs: number, half: boolean): string {
  if (hs % 4 !== 0 || hs > 64) throw new Error(`flash attention lane: head size ${hs} (needs a multiple of 4 up to 64)`);
  const HV = hs / 4;
  const dims = Array.from({ length: HV }, (_, d) => d);
  const keys = Array.from({ length: SUB }, (_, k) => k);
  const loads = Math.ceil((KEYS * HV) / LANE_THREADS); // vec4 of K (and of V) each thread copies per tile
  const comp = ["x", "y", "z", "w"];
  const store = (v: string): string => (half ? `massiveHalf4(${v})` : v);
  // Scores of keys kq + k: each one FMA chain over the dims in order (as the other tiles accumulate), K read as a
  // broadcast; written dims-outer so that consecutive statements feed the 16 independent chains.
  const scores = dims.flatMap((d) => keys.map((k) => `{ let kv = kt[(kq + ${k}) * ${HV} + ${d}]; ${comp.map((c) => `s${k} = fma(qd${d}.${c}, kv.${c}, s${k});`).join(" ")} }`)).join("\n        ");
  const tree = (xs: string[], op: (a: string, b: string) => string): string => (xs.length === 1 ? xs[0]! : op(tree(xs.slice(0, xs.length / 2), op), tree(xs.slice(xs.length / 2), op)));
  return `${half ? `enable f16;
  fn massiveHalf4(v : vec4<f32>) -> vec2<i32> { return vec2<i32>(bitcast<i32>(vec2<f16>(v.xy)), bitcast<i32>(vec2<f16>(v.zw))); }` : ""}
  var<workgroup> kt : array<vec4<f32>, ${KEYS * HV}>; // K tile [64 keys][${HV}]
  var<workgroup> vt : array<vec4<f32>, ${KEYS * HV}>; // V tile
  var<workgroup> blockShared : i32;
  fn main() {
    let T = uniforms.seqLen;
    let BH = uniforms.bh;
    // localIndex % threads: provably in range for Dawn's integer range analysis (see ./backend-webgpu-attention.ts).
    let li = i32(localIndex % ${LANE_THREADS}u);
    let bh = i32(workgroupId.y);
    // Longest blocks (most key tiles) first; a uniform copy for the loop that holds barriers.
    if (li == 0) { blockShared = (T + ${LANE_THREADS - 1}) / ${LANE_THREADS} - 1 - i32(workgroupId.x); }
    let qb = workgroupUniformLoad(&blockShared);
    let q0 = qb * ${LANE_THREADS};
    let row = q0 + li;
    let kbLast = min((q0 + ${LANE_THREADS - 1}) / ${KEYS}, (T - 1) / ${KEYS});
    let kBase = (BH + bh) * T * ${HV};
    let vBase = (2 * BH + bh) * T * ${HV};
    let qRow = bh * T * ${HV} + min(row, T - 1) * ${HV}; // rows past T compute on the last row; not written
    ${dims.map((d) => `let qd${d} = QKV[qRow + ${d}];`).join(" ")}
    var m = -3.0e38;
    var l = 0.0;
    ${dims.map((d) => `var o${d} = vec4<f32>(0.0);`).join(" ")}
    for (var kb = 0; kb <= kbLast; kb++) {
      let k0 = kb * ${KEYS};
      workgroupBarrier();
      for (var i = 0; i < ${loads}; i++) {
        let idx = li + i * ${LANE_THREADS};
        let key = k0 + idx / ${HV};
        if (idx < ${KEYS * HV}) {
          var kv = vec4<f32>(0.0);
          var vv = vec4<f32>(0.0);
          if (key < T) { kv = QKV[kBase + key * ${HV} + idx % ${HV}]; vv = QKV[vBase + key * ${HV} + idx % ${HV}]; }
          kt[idx] = kv;
          vt[idx] = vv;
        }
      }
      workgroupBarrier();
      for (var sb = 0; sb < ${KEYS / SUB}; sb++) {
        let kq = sb * ${SUB};
        ${keys.map((k) => `var s${k} = 0.0;`).join(" ")}
        ${scores}
        // Causal mask (and keys past T): row sees keys <= itself.
        ${keys.map((k) => `s${k} = select(-3.0e38, s${k}, (k0 + kq + ${k} <= row) && (k0 + kq + ${k} < T));`).join(" ")}
        let mn = max(m, ${tree(keys.map((k) => `s${k}`), (a, b) => `max(${a}, ${b})`)});
        let alpha = exp(m - mn);
        m = mn;
        ${keys.map((k) => `let p${k} = exp(s${k} - mn);`).join(" ")}
        l = l * alpha + ${tree(keys.map((k) => `p${k}`), (a, b) => `(${a} + ${b})`)};
        ${dims.map((d) => `o${d} = o${d} * alpha;`).join(" ")}
        ${keys.map((k) => dims.map((d) => `o${d} = fma(vec4<f32>(p${k}), vt[(kq + ${k}) * ${HV} + ${d}], o${d});`).join(" ")).join("\n        ")}
      }
    }
    if (row < T) {
      let out = ((bh / uniforms.heads) * T + row) * uniforms.heads * ${HV} + (bh % uniforms.heads) * ${HV};
      ${dims.map((d) => `result[out + ${d}] = ${store(`o${d} / l`)};`).join(" ")}
    }
  }`;
}
