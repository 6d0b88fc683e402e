/**
 * What-if branches on desktop. In a replay, "Branch here…" opens a small editor — actuator and
 * action (or a fault), offset from the playhead, horizon — and submits the branch; its progress
 * comes from the room. In a branch, the predictions: the one-line outcome, the capsule and sensor
 * differences as a list (a click moves the playhead there and highlights the equipment) and the
 * selected sensor's trend with both curves. Plain DOM beside the mission bar.
 */
import { FAULT_KINDS, offsetLabel } from '../../digital-twin/index.js';
import type {
  BranchModification,
  FaultKind,
  Plant,
  Predictions,
  SensorDelta,
} from '../../digital-twin/index.js';
import { button, element } from './dom.js';

export interface BranchActions {
  /** Submits a branch forked at the playhead; resolves with an error message or null. */
  submit(body: { horizonMs: number; modifications: BranchModification[] }): Promise<string | null>;
  open(missionId: string): void;
  seek(t: number): void;
  highlight(equipmentId: string): void;
}

/** A branch job as the room and the API tell it. */
export interface BranchJobView {
  missionId: string;
  status: string;
  progress: number;
  error: string | null;
}

const ACTIONS = ['valve.actuate', 'pump.start', 'pump.stop', 'setpoint.change', 'fault'] as const;
type EditorAction = (typeof ACTIONS)[number];
const ACTUATOR_KINDS: Record<Exclude<EditorAction, 'fault'>, readonly string[]> = {
  'valve.actuate': ['valve.position'],
  'pump.start': ['pump.run', 'motor.run'],
  'pump.stop': ['pump.run', 'motor.run'],
  'setpoint.change': ['setpoint'],
};

export class BranchPanel {
  readonly root: HTMLElement;
  readonly #plant: Plant;
  readonly #actions: BranchActions;
  readonly #editor: HTMLElement;
  readonly #action: HTMLSelectElement;
  readonly #target: HTMLSelectElement;
  readonly #fault: HTMLSelectElement;
  readonly #value: HTMLInputElement;
  readonly #offset: HTMLInputElement;
  readonly #horizon: HTMLInputElement;
  readonly #list: HTMLElement;
  readonly #message: HTMLElement;
  readonly #progress: HTMLElement;
  readonly #deltas: HTMLElement;
  readonly #trend: HTMLElement;
  #modifications: BranchModification[] = [];
  #predictions: Predictions | null = null;

  constructor(parent: HTMLElement, plant: Plant, actions: BranchActions) {
    this.#plant = plant;
    this.#actions = actions;
    this.root = element('div', 'branch-panel');
    this.root.id = 'branch-panel';

    this.#editor = element('div', 'branch-editor');
    this.#editor.id = 'branch-editor';
    this.#editor.hidden = true;
    this.#action = select(
      'br-action',
      ACTIONS.map((a) => [a, a === 'fault' ? 'inject fault' : a]),
    );
    this.#target = select('br-target', []);
    this.#fault = select(
      'br-fault',
      FAULT_KINDS.map((k) => [k, k]),
    );
    this.#value = input('br-value', 'number', '0.5');
    this.#value.step = 'any';
    this.#offset = input('br-offset', 'number', '0');
    this.#offset.min = '0';
    this.#horizon = input('br-horizon', 'number', '10');
    this.#horizon.min = '1';
    this.#horizon.max = '60';
    this.#action.addEventListener('change', () => this.#fillTargets());
    this.#list = element('ol', 'br-mods');
    this.#list.id = 'br-mods';
    this.#message = element('div', 'br-message');
    this.#message.id = 'br-message';
    this.#editor.append(
      element('strong', '', 'What if…'),
      labelled('Action', this.#action),
      labelled('On', this.#target),
      labelled('Fault', this.#fault),
      labelled('Value', this.#value),
      labelled('At +s', this.#offset),
      button('br-add', 'Add', () => this.#add()),
      this.#list,
      labelled('Horizon (min)', this.#horizon),
      button('br-submit', 'Compute branch', () => void this.#submit()),
      button('br-cancel', 'Cancel', () => this.closeEditor()),
      this.#message,
    );

    this.#progress = element('div', 'br-progress');
    this.#progress.id = 'br-progress';
    this.#deltas = element('div', 'branch-deltas');
    this.#deltas.id = 'branch-deltas';
    this.#deltas.hidden = true;
    this.#trend = element('div', 'br-trend');
    this.#trend.id = 'br-trend';
    this.root.append(this.#editor, this.#progress, this.#deltas);
    parent.append(this.root);
    this.#fillTargets();
  }

  openEditor(): void {
    this.#editor.hidden = false;
    this.#message.textContent = '';
  }

  closeEditor(): void {
    this.#editor.hidden = true;
    this.#modifications = [];
    this.#renderList();
  }

  /** A branch job changed (from the room, or the submit's answer). */
  progress(job: BranchJobView): void {
    this.#progress.replaceChildren();
    const line = element(
      'span',
      '',
      job.status === 'done'
        ? `Branch ${job.missionId} is ready`
        : job.status === 'failed'
          ? `Branch ${job.missionId} failed: ${job.error ?? 'unknown error'}`
          : `Branch ${job.missionId}: ${job.status} ${job.progress}%`,
    );
    this.#progress.dataset['status'] = job.status;
    this.#progress.dataset['missionId'] = job.missionId;
    this.#progress.append(line);
    if (job.status === 'done')
      this.#progress.append(
        button('br-open', 'Open branch', () => this.#actions.open(job.missionId)),
      );
  }

  /** In a branch: its predictions against the baseline, as a clickable list. */
  showPredictions(predictions: Predictions): void {
    this.#predictions = predictions;
    this.#progress.replaceChildren();
    this.#deltas.hidden = false;
    this.#deltas.replaceChildren(
      element('strong', 'br-outcome-title', 'Branch against its baseline'),
    );
    const outcome = element('div', 'br-outcome', predictions.expectedOutcome);
    outcome.id = 'br-outcome';
    const list = element('ul', 'br-delta-list');
    for (const row of deltaRows(predictions)) {
      const item = this.#deltaItem(row.text, row.t, row.equipmentId, row.kind);
      const sensor = row.sensor;
      if (sensor !== null) item.addEventListener('click', () => this.#drawTrend(sensor));
      list.append(item);
    }
    const note = element('div', 'br-note', predictions.baseline);
    this.#deltas.append(outcome, list, this.#trend, note);
    const first = predictions.sensorDeltas[0];
    if (first !== undefined) this.#drawTrend(first);
    else this.#trend.replaceChildren();
  }

  hidePredictions(): void {
    this.#predictions = null;
    this.#deltas.hidden = true;
  }

  get predictions(): Predictions | null {
    return this.#predictions;
  }

  #deltaItem(text: string, t: number | null, equipmentId: string, kind: string): HTMLElement {
    const item = element('li', 'br-delta', text);
    item.dataset['kind'] = kind;
    item.dataset['equipmentId'] = equipmentId;
    if (t !== null) item.dataset['t'] = String(t);
    item.addEventListener('click', () => {
      if (t !== null) this.#actions.seek(t);
      this.#actions.highlight(equipmentId);
    });
    return item;
  }

  /** Both curves of one sensor over the horizon, as a small SVG (grey baseline, blue branch). */
  #drawTrend(delta: SensorDelta): void {
    const points = delta.trend.filter(
      (p) => Number.isFinite(p.baseline) && Number.isFinite(p.branch),
    );
    this.#trend.replaceChildren(element('div', 'br-trend-title', `${delta.name} (${delta.unit})`));
    this.#trend.dataset['sensorId'] = delta.sensorId;
    if (points.length < 2) return;
    const w = 248;
    const h = 80;
    const t0 = (points[0] as { t: number }).t;
    const t1 = (points[points.length - 1] as { t: number }).t;
    const values = points.flatMap((p) => [p.baseline, p.branch]);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const x = (t: number): number => ((t - t0) / Math.max(1, t1 - t0)) * w;
    const y = (v: number): number => h - ((v - lo) / Math.max(1e-9, hi - lo)) * (h - 4) - 2;
    const line = (
      pick: (p: (typeof points)[number]) => number,
      color: string,
      id: string,
    ): SVGElement => {
      const poly = document.createElementNS(SVG, 'polyline');
      poly.setAttribute(
        'points',
        points.map((p) => `${x(p.t).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' '),
      );
      poly.setAttribute('fill', 'none');
      poly.setAttribute('stroke', color);
      poly.setAttribute('stroke-width', '2');
      poly.id = id;
      return poly;
    };
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(h));
    svg.append(
      line((p) => p.baseline, '#94a3b8', 'br-trend-baseline'),
      line((p) => p.branch, '#38bdf8', 'br-trend-branch'),
    );
    this.#trend.append(
      svg,
      element(
        'div',
        'br-legend',
        `baseline peak ${delta.baselinePeak} · branch peak ${delta.branchPeak}`,
      ),
    );
  }

  #fillTargets(): void {
    const action = this.#action.value as EditorAction;
    const options: [string, string][] = [];
    for (const equipment of this.#plant.equipment) {
      if (action === 'fault') {
        options.push([equipment.id, `${equipment.id} ${equipment.name}`]);
        continue;
      }
      for (const actuator of equipment.actuators) {
        if (ACTUATOR_KINDS[action].includes(actuator.kind))
          options.push([actuator.id, `${actuator.id} ${actuator.name ?? ''}`.trim()]);
      }
    }
    this.#target.replaceChildren(...options.map(([value, text]) => option(value, text)));
    this.#fault.parentElement!.hidden = action !== 'fault';
    this.#value.parentElement!.hidden = action !== 'valve.actuate' && action !== 'setpoint.change';
  }

  #add(): void {
    const action = this.#action.value as EditorAction;
    const atMs = Math.max(0, Math.round(Number(this.#offset.value) * 1000));
    const target = this.#target.value;
    const commandId = `what-if-${this.#modifications.length + 1}`;
    const value = Number(this.#value.value);
    const command: BranchModification | null =
      action === 'fault'
        ? null
        : {
            kind: 'command',
            atMs,
            command:
              action === 'valve.actuate'
                ? { type: action, commandId, actuatorId: target, position: value }
                : action === 'setpoint.change'
                  ? { type: action, commandId, actuatorId: target, value }
                  : { type: action, commandId, actuatorId: target },
          };
    const modification: BranchModification = command ?? {
      kind: 'fault',
      atMs,
      fault: { kind: this.#fault.value as FaultKind, target },
    };
    this.#modifications.push(modification);
    this.#renderList();
  }

  #renderList(): void {
    this.#list.replaceChildren(
      ...this.#modifications.map((m) => element('li', 'br-mod', describe(m))),
    );
  }

  async #submit(): Promise<void> {
    this.#message.textContent = 'submitting…';
    const error = await this.#actions.submit({
      horizonMs: Math.round(Number(this.#horizon.value) * 60_000),
      modifications: this.#modifications,
    });
    this.#message.textContent = error ?? '';
    if (error === null) this.closeEditor();
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** One line of the delta list: what differs, where the playhead goes, what to highlight. */
export interface DeltaRow {
  kind: 'capsule' | 'sensor' | 'actuator';
  text: string;
  t: number | null;
  equipmentId: string;
  sensor: SensorDelta | null;
}

/** The predictions as list rows, capsules first, then sensors, then final actuator states. */
export function deltaRows(predictions: Predictions): DeltaRow[] {
  const rows: DeltaRow[] = [];
  const forkT = predictions.forkT;
  for (const d of predictions.timelineDeltas) {
    const what = `'${d.title}'${d.sensorId === null ? '' : ` (${d.sensorId})`}`;
    const text =
      d.kind === 'only-baseline'
        ? `${what} never raised (baseline ${offset(d.baselineT, forkT)})`
        : d.kind === 'only-branch'
          ? `${what} raised only here, ${offset(d.branchT, forkT)}`
          : `${what} ${Math.round(Math.abs(d.shiftMs ?? 0) / 1000)} s ${d.kind}`;
    const t = d.branchT ?? d.baselineT ?? forkT;
    rows.push({ kind: 'capsule', text, t, equipmentId: d.equipmentId, sensor: null });
  }
  for (const s of predictions.sensorDeltas) {
    rows.push({
      kind: 'sensor',
      text: `${s.name}: up to ${s.maxAbsDiff} ${s.unit} apart (${offset(s.peakT, forkT)})`,
      t: s.peakT,
      equipmentId: s.equipmentId,
      sensor: s,
    });
  }
  for (const a of predictions.actuatorDeltas) {
    rows.push({
      kind: 'actuator',
      text: `${a.actuatorId} ends at ${a.branch} (baseline ${a.baseline})`,
      t: null,
      equipmentId: a.equipmentId,
      sensor: null,
    });
  }
  return rows;
}

function describe(m: BranchModification): string {
  if (m.kind === 'remove') return `without recorded command ${m.seq}`;
  const at = `at +${Math.round(m.atMs / 1000)} s`;
  if (m.kind === 'command') {
    const c = m.command;
    const value =
      c.type === 'valve.actuate'
        ? ` → ${c.position}`
        : c.type === 'setpoint.change'
          ? ` → ${c.value}`
          : '';
    return `${c.type} ${c.actuatorId}${value} ${at}`;
  }
  return `${m.kind === 'fault' ? 'fault' : 'clear'} ${m.fault.kind} on ${m.fault.target} ${at}`;
}

function offset(t: number | null, forkT: number): string {
  return t === null ? 'never' : offsetLabel(t, forkT);
}

function select(id: string, options: readonly (readonly [string, string])[]): HTMLSelectElement {
  const node = document.createElement('select');
  node.id = id;
  node.append(...options.map(([value, text]) => option(value, text)));
  return node;
}

function option(value: string, text: string): HTMLOptionElement {
  const node = document.createElement('option');
  node.value = value;
  node.textContent = text;
  return node;
}

function input(id: string, type: string, value: string): HTMLInputElement {
  const node = document.createElement('input');
  node.id = id;
  node.type = type;
  node.value = value;
  return node;
}

function labelled(text: string, control: HTMLElement): HTMLElement {
  const label = element('label', 'br-field', text + ' ');
  label.append(control);
  return label;
}
