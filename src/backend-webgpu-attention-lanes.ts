/**
 * The "lane" work split of the float32 flash attention (./backend-webgpu-attention.ts, MASSIVE_WEBGPU_FLASH=lane):
 * each query row is owned by Q = ceil(hs / 64) adjacent threads, each with 64 (or hs) of its dims of q and of the
 * output in registers. Key tiles (64 / Q keys) with K and V in workgroup memory, read by all rows at the same
 * addresses (a broadcast: one workgroup-memory transaction serves a subgroup). Each thread's partial dot products are
 * added across its Q lanes with subgroup shuffles (Q > 1: heads of 128 or 256 dims, where the device has subgroups),
 * so every lane holds the same scores; the online softmax runs per 16 keys in registers. P never goes through
 * workgroup memory and there is no reduction through it: two barriers per key tile (the 8 x 16 tile has 14 per 64
 * keys). Same arithmetic as the other tiles up to the order of float32 additions: a score is an FMA chain over each
 * lane's dims in order, the Q partial sums added pairwise; exp(s - m) per key; outputs rescaled per 16 keys.
 */

/** WGSL of the float16 output of the flash programs: four values as float16 bits in a vec2<i32> (packHalfActivations' layout). */
export const HALF_OUT_WGSL = `enable f16;
  fn massiveHalf4(v : vec4<f32>) -> vec2<i32> { return vec2<i32>(bitcast<i32>(vec2<f16>(v.xy)), bitcast<i32>(vec2<f16>(v.zw))); }`;

/** Dims per lane and keys per online-softmax step. */
const LANE_DIMS = 64;
const SUB = 16;

/** The lane program's shape for head size hs: lanes per row, threads per workgroup, rows per workgroup, keys per tile. */
export function laneShape(hs: number): { Q: number; threads: number; rows: number; keys: number } {
  const Q = Math.ceil(hs / LANE_DIMS);
  const threads = Q === 1 ? 128 : 256;
  return { Q, threads, rows: threads / Q, keys: 64 / Q };
}

/** Whether the lane program runs head size hs: up to 64 dims, or 128 / 256 with subgroups (`subgroups`). */
export function laneFits(hs: number, subgroups: boolean): boolean {
  return hs % 4 === 0 && (hs <= LANE_DIMS || (subgroups && (hs === 128 || hs === 256)));
}

/** Workgroup memory of the lane program for head size hs, bytes (K and V tiles, a vec4 of pad per lane and key). */
export function laneBytes(hs: number): number {
  const { Q, keys } = laneShape(hs);
  return 2 * keys * (hs / 4 + (Q > 1 ? Q : 0)) * 16 + 4;
}

/**
 * The WGSL of the lane program for head size hs ({@link laneFits}), reading [3, B*H, T, hs] (rotarySplit) as vec4
 * and writing the merged context [B*T, H*hs] (vec4, or with `half` float16 bits as vec2<i32>).
 */
export function laneFlashCode(hs: number, half: boolean): string {
  if (!laneFits(hs, true)) throw new Error(`flash attention lane: head size ${hs} (needs a multiple of 4 up to 64, or 128 or 256)`);
  const { Q, threads, rows, keys: KT } = laneShape(hs);
  const HV = hs / 4, DV = HV / Q; // vec4 per head row, per lane
  const KS = Q > 1 ? Q * (DV + 1) : HV; // vec4 per key in the tiles: Q > 1 pads each lane's part by one vec4, so that
  // the Q lanes of a row read Q distinct 16-byte bank groups
  const dims = Array.from({ length: DV }, (_, d) => d);
  const sub = Math.min(SUB, KT);
  const keys = Array.from({ length: sub }, (_, k) => k);
  const loads = Math.ceil((KT * HV) / threads); // vec4 of K (and of V) each thread copies per tile
  const comp = ["x", "y", "z", "w"];
  const store = (v: string): string => (half ? `massiveHalf4(${v})` : v);
  const at = (k: string, d: number): string => `(kq + ${k}) * ${KS} + lanePart + ${d}`;
  // Scores of keys kq + k: each one FMA chain over this lane's dims in order, K read as a broadcast; written
  // dims-outer so that consecutive statements feed the independent chains.
  const scores = dims.flatMap((d) => keys.map((k) => `{ let kv = kt[${at(String(k), d)}]; ${comp.map((c) => `s${k} = fma(qd${d}.${c}, kv.${c}, s${k});`).join(" ")} }`)).join("\n        ");
  // The Q lanes' partial sums, added pairwise (a + b == b + a: every lane gets the same bits).
  const shuffles = [1, 2].filter((x) => x < Q).map((x) => keys.map((k) => `s${k} = s${k} + subgroupShuffleXor(s${k}, ${x}u);`).join(" ")).join("\n        ");
  // (f16 is enabled for Q > 1 even without \`half\`: the device's shader hook hoists directives above tfjs's preamble
  // only in code that enables f16 or subgroup matrices, ./backend-webgpu-f16.ts hoistDirectives.)
  const tree = (xs: string[], op: (a: string, b: string) => string): string => (xs.length === 1 ? xs[0]! : op(tree(xs.slice(0, xs.length / 2), op), tree(xs.slice(xs.length / 2), op)));
  return `${half ? HALF_OUT_WGSL : ""}
  ${Q > 1 ? `${half ? "" : "enable f16;\n  "}enable subgroups;` : ""}
  var<workgroup> kt : array<vec4<f32>, ${KT * KS}>; // K tile [${KT} keys][${Q} lanes][${DV}${Q > 1 ? " + 1 pad" : ""}]
  var<workgroup> vt : array<vec4<f32>, ${KT * KS}>; // V tile
  var<workgroup> blockShared : i32;
  fn main() {
    let T = uniforms.seqLen;
    let BH = uniforms.bh;
    // localIndex % threads: provably in range for Dawn's integer range analysis (see ./backend-webgpu-attention.ts).
    let li = i32(localIndex % ${threads}u);
    let lane = li % ${Q};
    let lanePart = lane * ${Q > 1 ? DV + 1 : 0};
    let bh = i32(workgroupId.y);
    // Longest blocks (most key tiles) first; a uniform copy for the loop that holds barriers.
    if (li == 0) { blockShared = (T + ${rows - 1}) / ${rows} - 1 - i32(workgroupId.x); }
    let qb = workgroupUniformLoad(&blockShared);
    let q0 = qb * ${rows};
    let row = q0 + li / ${Q};
    let kbLast = min((q0 + ${rows - 1}) / ${KT}, (T - 1) / ${KT});
    let kBase = (BH + bh) * T * ${HV};
    let vBase = (2 * BH + bh) * T * ${HV};
    let qRow = bh * T * ${HV} + min(row, T - 1) * ${HV} + lane * ${DV}; // rows past T compute on the last row; not written
    ${dims.map((d) => `let qd${d} = QKV[qRow + ${d}];`).join(" ")}
    var m = -3.0e38;
    var l = 0.0;
    ${dims.map((d) => `var o${d} = vec4<f32>(0.0);`).join(" ")}
    for (var kb = 0; kb <= kbLast; kb++) {
      let k0 = kb * ${KT};
      workgroupBarrier();
      for (var i = 0; i < ${loads}; i++) {
        let idx = li + i * ${threads};
        let key = k0 + idx / ${HV};
        let c = idx % ${HV};
        if (idx < ${KT * HV}) {
          var kv = vec4<f32>(0.0);
          var vv = vec4<f32>(0.0);
          if (key < T) { kv = QKV[kBase + key * ${HV} + c]; vv = QKV[vBase + key * ${HV} + c]; }
          let slot = (idx / ${HV}) * ${KS} + ${Q > 1 ? `(c / ${DV}) * ${DV + 1} + c % ${DV}` : "c"};
          kt[slot] = kv;
          vt[slot] = vv;
        }
      }
      workgroupBarrier();
      for (var sb = 0; sb < ${KT / sub}; sb++) {
        let kq = sb * ${sub};
        ${keys.map((k) => `var s${k} = 0.0;`).join(" ")}
        ${scores}
        ${shuffles}
        // Causal mask (and keys past T): row sees keys <= itself.
        ${keys.map((k) => `s${k} = select(-3.0e38, s${k}, (k0 + kq + ${k} <= row) && (k0 + kq + ${k} < T));`).join(" ")}
        let mn = max(m, ${tree(keys.map((k) => `s${k}`), (a, b) => `max(${a}, ${b})`)});
        let alpha = exp(m - mn);
        m = mn;
        ${keys.map((k) => `let p${k} = exp(s${k} - mn);`).join(" ")}
        l = l * alpha + ${tree(keys.map((k) => `p${k}`), (a, b) => `(${a} + ${b})`)};
        ${dims.map((d) => `o${d} = o${d} * alpha;`).join(" ")}
        ${keys.map((k) => dims.map((d) => `o${d} = fma(vec4<f32>(p${k}), vt[${at(String(k), d)}], o${d});`).join(" ")).join("\n        ")}
      }
    }
    if (row < T) {
      let out = ((bh / uniforms.heads) * T + row) * uniforms.heads * ${HV} + (bh % uniforms.heads) * ${HV} + lane * ${DV};
      ${dims.map((d) => `result[out + ${d}] = ${store(`o${d} / l`)};`).join(" ")}
    }
  }`;
}
