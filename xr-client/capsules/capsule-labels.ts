import type { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import type { CapsuleLayer } from './capsule-layer.js';
import { LABEL_ROWS } from './capsule-shader.js';
import { NearestSearch } from './nearest.js';

/** Labels besides the selected capsule's: enough to read a cluster, few enough to stay legible. */
export const NEAREST_LABELS = LABEL_ROWS - 1;

/**
 * How often (ms) the nearest capsules are searched again while the viewer stands still (capsules
 * may move or appear meanwhile).
 */
const RESCAN_MS = 1000;

/** While the viewer moves, search again at most this often (ms). */
const MOVING_RESCAN_MS = 150;

/** The viewer counts as moved past this distance (m) from where the last search was made. */
const MOVED_M = 0.25;

/**
 * Capsules a frame examines for the nearest search: a scan of 100,000 at once costs a few ms
 * (a visible hitch in a headset), so a search spreads over frames and labels trail by a few.
 */
const SCAN_SLICE = 16_384;

/**
 * Chooses which capsules carry a text label: the selected one and the few nearest the viewer,
 * and no others (a hundred thousand labels would be unreadable). The labels themselves are
 * drawn by the capsule layer, in the capsules' own draw call (`CapsuleLayer.setLabel`).
 */
export class CapsuleLabels {
  #lastScan = -Infinity;
  readonly #scannedFrom = { x: NaN, y: NaN, z: NaN };
  #shownSelection: string | null = null;
  /** The search under way, and the next slot it examines. */
  #search: NearestSearch | null = null;
  #next = 0;
  /** Ids the last finished search found, nearest first. */
  #nearest: string[] = [];

  constructor(
    readonly layer: CapsuleLayer,
    readonly titleOf: (id: string) => string,
  ) {}

  /** Ids currently labelled (in atlas row order). */
  get labelled(): string[] {
    return this.layer.labelled;
  }

  /**
   * Keep the labels right for the viewer at `eye`; call once a frame. A new selection is
   * labelled at once. The nearest capsules are searched again when the viewer moved (at most
   * every MOVING_RESCAN_MS) and otherwise every RESCAN_MS, SCAN_SLICE capsules a frame (`force`
   * finishes the search now); between searches the layer keeps labels over their capsules.
   */
  update(eye: Vector3, nowMs: number, force = false): void {
    const since = nowMs - this.#lastScan;
    const from = this.#scannedFrom;
    const moved =
      since >= MOVING_RESCAN_MS &&
      !((eye.x - from.x) ** 2 + (eye.y - from.y) ** 2 + (eye.z - from.z) ** 2 <= MOVED_M ** 2);
    if (this.#search === null && (force || moved || since >= RESCAN_MS)) {
      this.#lastScan = nowMs;
      from.x = eye.x;
      from.y = eye.y;
      from.z = eye.z;
      this.#search = new NearestSearch(eye, LABEL_ROWS);
      this.#next = 0;
    }
    if (this.#search !== null) {
      const count = this.layer.count;
      const to = force ? count : Math.min(count, this.#next + SCAN_SLICE);
      this.layer.scanNearest(this.#search, this.#next, to);
      this.#next = to;
      if (to >= count) {
        // Slots may have moved while a long search ran; an index past the end is dropped.
        this.#nearest = this.#search.best
          .filter((index) => index < this.layer.count)
          .map((index) => this.layer.idAt(index));
        this.#search = null;
        this.#apply();
        return;
      }
    }
    if (this.layer.selected !== this.#shownSelection) this.#apply();
  }

  /** Label the selected capsule and the nearest found, as many as there are rows. */
  #apply(): void {
    const selected = this.layer.selected;
    this.#shownSelection = selected;
    const wanted = new Set<string>();
    if (selected !== null && this.layer.indexOf(selected) !== undefined) wanted.add(selected);
    for (const id of this.#nearest) {
      if (wanted.size < LABEL_ROWS && this.layer.indexOf(id) !== undefined) wanted.add(id);
    }
    // A capsule that stays labelled keeps its row (its text is not drawn again); newcomers
    // take the rows that freed up.
    const rows = this.layer.labelRows();
    const kept = new Set(rows.filter((id): id is string => id !== null && wanted.has(id)));
    const newcomers = [...wanted].filter((id) => !kept.has(id));
    rows.forEach((id, row) => {
      const next = id !== null && kept.has(id) ? id : (newcomers.shift() ?? null);
      this.layer.setLabel(row, next, next === null ? null : this.titleOf(next));
    });
  }
}
