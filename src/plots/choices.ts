/**
 * Figures you can explore without a kernel: several groups of traces (one per model, say) in one Plotly figure, a
 * dropdown (`layout.updatemenus`) that shows one group at a time, and inside each group options (layers,
 * checkpoints) picked by a second dropdown or a slider (`layout.sliders`). Everything is trace visibility switched
 * by plotly.js itself, so it works wherever the figure is drawn: the notebook's Plotly mime renderer, the text/html
 * fallback, nbconvert's HTML and the report. Static exports take {@link staticFrame}: the chosen group and option
 * without the controls.
 *
 * How the two levels compose: the group dropdown's buttons `update` every trace's visibility and, in the same
 * call, replace the option control's buttons (or slider steps) with those of the new group; an option button
 * `restyle`s only its own group's traces. So a choice in one control never undoes the other.
 */
import { requireNonEmpty, type PlotlyFigure, type PlotlyLayout, type PlotlyTrace } from "./figure";

/** One choice inside a group: a label and which of the group's traces (indices into its `figure.data`) it shows. */
export interface ChoiceOption {
  label: string;
  traces: number[];
}

/**
 * One group: a figure whose traces are shown together (traces in no option are always shown while the group is),
 * its options, and which option is shown first.
 */
export interface ChoiceGroup {
  label: string;
  figure: PlotlyFigure;
  options?: ChoiceOption[];
  /** Index into `options` shown when the group is chosen. Default 0. */
  activeOption?: number;
}

export interface ChoiceSpec {
  /** What the groups are, shown before each group button's label, e.g. "model". */
  groupName: string;
  /** What the options are (slider prefix, option button labels), e.g. "layer" or "step". */
  optionName?: string;
  /** A second dropdown or a slider for the options. Default "dropdown". */
  optionControl?: "dropdown" | "slider";
  /** The group shown first (and in static exports). Default 0. */
  activeGroup?: number;
}

/** Extra room the controls take, kept in `layout.meta` so {@link staticFrame} can give it back. */
interface ControlRoom {
  top: number;
  bottom: number;
}
const META_KEY = "massiveControls";

/** Layout keys a group switch replaces (single-panel figures: title, the two axes, annotations, shapes). */
const GROUP_LAYOUT_KEYS = ["title", "xaxis", "yaxis", "annotations", "shapes"];

const DROPDOWN_ROOM = 44;
const SLIDER_ROOM = 86;

function optionOf(group: ChoiceGroup): number | undefined {
  return group.options?.length ? Math.min(Math.max(0, group.activeOption ?? 0), group.options.length - 1) : undefined;
}

/** Visibility of a group's own traces with option `option` chosen (traces in no option are always visible). */
function groupVisibility(group: ChoiceGroup, option: number | undefined): boolean[] {
  const inSomeOption = new Set((group.options ?? []).flatMap((o) => o.traces));
  const shown = new Set(option === undefined ? [] : group.options![option]!.traces);
  return group.figure.data.map((_, i) => !inSomeOption.has(i) || shown.has(i));
}

/**
 * One figure holding every group's traces, with a group dropdown (when there are 2+ groups) and an option control
 * (when the groups have options). The layout is the active group's, with room added for the controls.
 */
export function choiceFigure(groups: ChoiceGroup[], spec: ChoiceSpec): PlotlyFigure {
  requireNonEmpty("choiceFigure", "groups", groups);
  for (const g of groups) {
    for (const o of g.options ?? []) {
      const bad = o.traces.find((t) => !Number.isInteger(t) || t < 0 || t >= g.figure.data.length);
      if (bad !== undefined) throw new Error(`choiceFigure: option '${o.label}' of group '${g.label}' names trace ${bad}, but the group has ${g.figure.data.length}`);
    }
  }
  const active = Math.min(Math.max(0, spec.activeGroup ?? 0), groups.length - 1);
  const offsets: number[] = [];
  let total = 0;
  for (const g of groups) {
    offsets.push(total);
    total += g.figure.data.length;
  }
  const visibleWith = (gi: number): boolean[] => {
    const out = new Array<boolean>(total).fill(false);
    groupVisibility(groups[gi]!, optionOf(groups[gi]!)).forEach((v, i) => (out[offsets[gi]! + i] = v));
    return out;
  };
  const hasOptions = groups.some((g) => g.options?.length);
  const control = spec.optionControl ?? "dropdown";
  const optionName = spec.optionName ?? "option";
  // The option control's entries for group gi: each restyles the group's own traces only.
  const optionEntries = (gi: number) => {
    const g = groups[gi]!;
    const indices = g.figure.data.map((_, i) => offsets[gi]! + i);
    return (g.options ?? []).map((_, oi) => ({
      label: g.options![oi]!.label,
      method: "restyle",
      args: [{ visible: groupVisibility(g, oi) }, indices],
    }));
  };
  const groupMenuIndex = 0;
  const optionMenuIndex = groups.length > 1 ? 1 : 0;
  const optionKey = control === "slider" ? "sliders[0]" : `updatemenus[${optionMenuIndex}]`;
  const optionListKey = control === "slider" ? "steps" : "buttons";

  const data: PlotlyTrace[] = groups.flatMap((g, gi) => {
    const vis = visibleWith(gi);
    return g.figure.data.map((t, i) => ({ ...t, visible: gi === active && vis[offsets[gi]! + i]! }));
  });
  const base = groups[active]!.figure.layout;
  const updatemenus: Record<string, unknown>[] = [];
  const room: ControlRoom = { top: 0, bottom: 0 };
  const menuStyle = { type: "dropdown", direction: "down", showactive: true, xanchor: "left", yanchor: "bottom", y: 1.0, yref: "paper", pad: { t: 0, b: 6 }, font: { size: 12 } };
  if (groups.length > 1) {
    updatemenus.push({
      ...menuStyle,
      x: 0,
      active,
      buttons: groups.map((g, gi) => {
        const layoutPatch: PlotlyLayout = {};
        for (const k of GROUP_LAYOUT_KEYS) layoutPatch[k] = g.figure.layout[k] ?? (k === "annotations" || k === "shapes" ? [] : undefined);
        if (hasOptions) {
          layoutPatch[`${optionKey}.${optionListKey}`] = optionEntries(gi);
          layoutPatch[`${optionKey}.active`] = optionOf(g) ?? 0;
          layoutPatch[`${optionKey}.visible`] = Boolean(g.options?.length);
        }
        return { label: `${spec.groupName}: ${g.label}`, method: "update", args: [{ visible: visibleWith(gi) }, layoutPatch] };
      }),
    });
    room.top += DROPDOWN_ROOM;
  }
  let sliders: Record<string, unknown>[] | undefined;
  if (hasOptions && control === "dropdown") {
    // With a group menu on the left, the option menu sits at the right edge so the two never overlap.
    updatemenus.push({ ...menuStyle, ...(groups.length > 1 ? { x: 1, xanchor: "right" } : { x: 0 }), active: optionOf(groups[active]!) ?? 0, visible: Boolean(groups[active]!.options?.length), buttons: optionEntries(active) });
    if (groups.length === 1) room.top += DROPDOWN_ROOM;
  } else if (hasOptions) {
    sliders = [
      {
        active: optionOf(groups[active]!) ?? 0,
        visible: Boolean(groups[active]!.options?.length),
        steps: optionEntries(active),
        currentvalue: { prefix: `${optionName}: `, font: { size: 12 } },
        x: 0,
        len: 1,
        y: 0,
        yanchor: "top",
        pad: { t: 56, b: 4 },
        font: { size: 11 },
      },
    ];
    room.bottom += SLIDER_ROOM;
  }
  const margin = { ...((base.margin as Record<string, number> | undefined) ?? {}) };
  margin.t = (margin.t ?? 60) + room.top;
  margin.b = (margin.b ?? 60) + room.bottom;
  const layout: PlotlyLayout = {
    ...base,
    margin,
    height: Number(base.height ?? 460) + room.top + room.bottom,
    meta: { ...((base.meta as Record<string, unknown> | undefined) ?? {}), [META_KEY]: room },
    ...(updatemenus.length ? { updatemenus } : {}),
    ...(sliders ? { sliders } : {}),
  };
  return { data, layout, config: groups[active]!.figure.config };
}

/**
 * The figure as exported to PNG/SVG/PDF: the chosen frame only (traces hidden by the controls dropped), no
 * dropdowns or sliders, and the room they took given back. Figures without controls come back unchanged.
 */
export function staticFrame(figure: PlotlyFigure): PlotlyFigure {
  const meta = figure.layout.meta as Record<string, unknown> | undefined;
  const room = meta?.[META_KEY] as ControlRoom | undefined;
  if (!room && !figure.layout.updatemenus && !figure.layout.sliders) return figure;
  const { updatemenus: _menus, sliders: _sliders, ...layout } = figure.layout;
  const rest = { ...(meta ?? {}) };
  delete rest[META_KEY];
  if (Object.keys(rest).length) layout.meta = rest;
  else delete layout.meta;
  if (room) {
    const margin = { ...((layout.margin as Record<string, number> | undefined) ?? {}) };
    margin.t = (margin.t ?? 60) - room.top;
    margin.b = (margin.b ?? 60) - room.bottom;
    layout.margin = margin;
    layout.height = Number(layout.height ?? 460) - room.top - room.bottom;
  }
  return { data: figure.data.filter((t) => t.visible !== false).map(({ visible: _v, ...t }) => t as PlotlyTrace), layout, config: figure.config };
}

/**
 * A group whose options are frames: each frame's traces appended after `shared` (traces always shown, e.g. a
 * reference checkpoint), one option per frame. The layout is `layout`, or the first frame's.
 */
export function framesGroup(label: string, frames: { label: string; figure: PlotlyFigure }[], options: { shared?: PlotlyTrace[]; layout?: PlotlyLayout; activeFrame?: number } = {}): ChoiceGroup {
  requireNonEmpty("framesGroup", "frames", frames);
  const data: PlotlyTrace[] = [...(options.shared ?? [])];
  const opts: ChoiceOption[] = frames.map((f) => {
    const start = data.length;
    data.push(...f.figure.data);
    return { label: f.label, traces: f.figure.data.map((_, i) => start + i) };
  });
  const first = frames[0]!.figure;
  return { label, figure: { data, layout: options.layout ?? first.layout, config: first.config }, options: opts, activeOption: options.activeFrame ?? frames.length - 1 };
}

/**
 * Options of a figure by a key of each trace (e.g. its layer): one option per distinct key in order of first
 * appearance, plus, first, an option showing all of them when `allLabel` is given. Traces whose key is undefined are
 * in no option (always shown).
 */
export function optionsByKey(figure: PlotlyFigure, keyOf: (trace: PlotlyTrace, index: number) => string | undefined, options: { allLabel?: string; labelOf?: (key: string) => string } = {}): ChoiceOption[] {
  const byKey = new Map<string, number[]>();
  figure.data.forEach((t, i) => {
    const k = keyOf(t, i);
    if (k === undefined) return;
    if (!byKey.has(k)) byKey.set(k, []);
    byKey.get(k)!.push(i);
  });
  const out = [...byKey].map(([k, traces]) => ({ label: options.labelOf ? options.labelOf(k) : k, traces }));
  if (options.allLabel !== undefined) out.unshift({ label: options.allLabel, traces: [...byKey.values()].flat() });
  return out;
}
