import type { TwinState } from '../twin-state.js';
import * as twin from '../twin-state.js';

/**
 * The rule indicators the reducer keeps per sensor (SPEC E-5 … E-9): limit zone with hysteresis,
 * smoothed rate of change, deviation from the simulator's expectation, vibration baseline. They
 * are updated as readings are folded, so `evaluateRules` only reads numbers and `t`.
 *
 * This is the reducer's hot path: no allocation, typed arrays only.
 */

/** Time constant of the value and rate smoothing (both first-order lags). */
export const RATE_TAU_MS = 5_000;
/**
 * A rate or deviation condition clears only once it falls to this share of its limit: without
 * hysteresis a value hovering at the limit raises and clears on every noisy sample.
 */
export const CLEAR_RATIO = 0.8;
/** Vibration baseline learning time constant: slow, so a developing fault stands out against it. */
export const BASELINE_TAU_MS = 30 * 60_000;
/** The baseline is trusted only after learning this long (start-up transients settle first). */
export const BASELINE_WARMUP_MS = 60_000;
/**
 * During the warm-up the baseline follows fast (6 time constants in the warm-up), so a machine
 * that starts from standstill is not measured against its first, spinning-up reading.
 */
export const BASELINE_WARMUP_TAU_MS = 10_000;
/** "Well above baseline": at least this multiple of it … */
export const BASELINE_FACTOR = 2;
/** … and at least this many mm/s above it (a quiet machine doubling from 0.3 mm/s is no anomaly). */
export const BASELINE_MIN_EXCESS = 1;
/** A run actuator at or above this value counts as running. */
export const RUNNING_THRESHOLD = 0.5;

// Module-local copies of imported constants: this is the per-reading path, and some loaders
// (tsx's CommonJS interop) turn every access to an imported binding into a getter call.
const { LATCH_SLOTS, QUALITY_BAD, QUALITY_GOOD, QUALITY_UNCERTAIN } = twin;
const { ZONE_HI, ZONE_HIHI, ZONE_LO, ZONE_LOLO, ZONE_NORMAL } = twin;
const LIMIT = twin.LATCH_SLOT.limit;
const RATE = twin.LATCH_SLOT.rate;
const VIBRATION = twin.LATCH_SLOT.vibration;
const DEVIATION = twin.LATCH_SLOT.deviation;

/** Quality code of a reading's quality string; anything unrecognised counts as bad (E-3). */
export function qualityCode(quality: string): number {
  return quality === 'good'
    ? QUALITY_GOOD
    : quality === 'uncertain'
      ? QUALITY_UNCERTAIN
      : QUALITY_BAD;
}

/**
 * Fold one reading of sensor `i` (already known, not stale) into the state. A bad reading (or a
 * non-finite value) stores NaN and freezes every indicator: rules neither raise nor clear on
 * data that is not there (E-3, E-5).
 */
export function foldReading(state: TwinState, i: number, t: number, v: number, q: number): void {
  state.readingT[i] = t;
  if (q === QUALITY_BAD || v - v !== 0) {
    state.value[i] = NaN;
    state.quality[i] = QUALITY_BAD;
    return;
  }
  state.value[i] = v;
  state.quality[i] = q;
  const config = state.config;
  const prevT = state.usableT[i]!;
  state.usableT[i] = t;

  if (config.hasLimits[i] === 1) foldZone(state, i, t, v);

  // Smoothed rate (E-7): two first-order lags with the same time constant, weight dt/(τ+dt) so
  // irregular sampling (MQTT, OPC-UA deadband) is handled without Math.exp per reading.
  const s = state.smoothed[i]!;
  if (s !== s) {
    state.smoothed[i] = v;
  } else {
    const dt = t - prevT;
    if (dt > 0) {
      const a = dt / (RATE_TAU_MS + dt);
      const s2 = s + a * (v - s);
      state.smoothed[i] = s2;
      const instant = ((s2 - s) / dt) * 60_000;
      const r = state.rate[i]!;
      const rate = r !== r ? instant : r + a * (instant - r);
      state.rate[i] = rate;
      const max = config.rateMax[i]!;
      if (max === max) foldRateCondition(state, i, t, rate, max);
    }
  }

  const e = state.expected[i]!;
  if (e === e) foldDeviation(state, i, t, v, e);

  if (config.isVibration[i] === 1) foldVibration(state, i, t, v, prevT);
}

/** Limit zone with deadband hysteresis (E-6): leaving a zone towards normal needs the deadband. */
function foldZone(state: TwinState, i: number, t: number, v: number): void {
  const config = state.config;
  const hi = config.hi[i]!;
  const hihi = config.hihi[i]!;
  const lo = config.lo[i]!;
  const lolo = config.lolo[i]!;
  const db = config.deadband[i]!;
  const current = state.zone[i]!;
  let zone =
    v >= hihi
      ? ZONE_HIHI
      : v >= hi
        ? ZONE_HI
        : v <= lolo
          ? ZONE_LOLO
          : v <= lo
            ? ZONE_LO
            : ZONE_NORMAL;
  if (current > 0) {
    if (current >= ZONE_HIHI && zone < ZONE_HIHI && v > hihi - db) zone = ZONE_HIHI;
    if (zone < ZONE_HI && v > hi - db) zone = ZONE_HI;
  } else if (current < 0) {
    if (current <= ZONE_LOLO && zone > ZONE_LOLO && v < lolo + db) zone = ZONE_LOLO;
    if (zone > ZONE_LO && v < lo + db) zone = ZONE_LO;
  }
  if (zone === current) return;
  state.zone[i] = zone;
  state.zoneSince[i] = t;
  if (zone === ZONE_NORMAL) {
    state.outSince[i] = NaN;
    state.latch[i * LATCH_SLOTS + LIMIT] = 0;
  } else if (current === ZONE_NORMAL || zone > 0 !== current > 0) {
    // Out of normal, or straight across to the other side: a new excursion starts.
    state.outSince[i] = t;
  }
}

function foldRateCondition(
  state: TwinState,
  i: number,
  t: number,
  rate: number,
  max: number,
): void {
  const abs = rate < 0 ? -rate : rate;
  const since = state.rateSince[i]!;
  if (since !== since) {
    if (abs > max) state.rateSince[i] = t;
  } else if (abs <= max * CLEAR_RATIO) {
    state.rateSince[i] = NaN;
    state.latch[i * LATCH_SLOTS + RATE] = 0;
  }
}

/** Deviation condition (E-8): |value − expected| beyond the tolerance, cleared with hysteresis. */
export function foldDeviation(state: TwinState, i: number, t: number, v: number, e: number): void {
  const tolerance = state.config.deviationTolerance[i]!;
  if (tolerance !== tolerance) return;
  const d = v > e ? v - e : e - v;
  const since = state.deviationSince[i]!;
  if (since !== since) {
    if (d > tolerance) state.deviationSince[i] = t;
  } else if (d <= tolerance * CLEAR_RATIO) {
    state.deviationSince[i] = NaN;
    state.latch[i * LATCH_SLOTS + DEVIATION] = 0;
  }
}

/** Whether the equipment a sensor belongs to runs (equipment without a run actuator always does). */
export function isRunning(state: TwinState, i: number): boolean {
  const run = state.config.runActuator[i]!;
  return run < 0 || state.actuators[run]! >= RUNNING_THRESHOLD;
}

/**
 * Vibration (E-9): a slow baseline learned only while the equipment runs and no anomaly is
 * present; the condition is "in the hi zone, or well above a warmed-up baseline".
 */
function foldVibration(state: TwinState, i: number, t: number, v: number, prevT: number): void {
  if (!isRunning(state, i)) {
    stopVibration(state, i);
    return;
  }
  const base = state.baseline[i]!;
  const learned = base === base && t - state.baselineSince[i]! >= BASELINE_WARMUP_MS;
  const wasOn = state.vibrationSince[i] === state.vibrationSince[i];
  const factor = wasOn ? BASELINE_FACTOR * CLEAR_RATIO : BASELINE_FACTOR;
  const excess = wasOn ? BASELINE_MIN_EXCESS * CLEAR_RATIO : BASELINE_MIN_EXCESS;
  const on = state.zone[i]! >= ZONE_HI || (learned && v >= base * factor && v - base >= excess);
  if (on && !wasOn) state.vibrationSince[i] = t;
  else if (!on && wasOn) clearVibration(state, i);

  if (base !== base) {
    state.baseline[i] = v;
    state.baselineSince[i] = t;
  } else if (!on) {
    const dt = t - prevT;
    const tau = learned ? BASELINE_TAU_MS : BASELINE_WARMUP_TAU_MS;
    if (dt > 0) state.baseline[i] = base + (dt / (tau + dt)) * (v - base);
  }
}

/** Equipment stopped: the baseline is forgotten and relearned after the next start (E-9). */
export function stopVibration(state: TwinState, i: number): void {
  state.baseline[i] = NaN;
  state.baselineSince[i] = NaN;
  if (state.vibrationSince[i] === state.vibrationSince[i]) clearVibration(state, i);
}

/** The vibration rule watches all of an equipment's vibration sensors; its latch lives on the first. */
function clearVibration(state: TwinState, i: number): void {
  state.vibrationSince[i] = NaN;
  const group = state.config.vibrationByEquipment.get(state.plant.sensorEquipment[i]!.id);
  if (!group) return;
  for (const j of group) if (state.vibrationSince[j] === state.vibrationSince[j]) return;
  state.latch[group[0]! * LATCH_SLOTS + VIBRATION] = 0;
}
