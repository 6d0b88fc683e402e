import type { Quality, Range } from '../../digital-twin/index.js';

/**
 * Colour ramp for sensor markers: where a value sits in its sensor's range, from blue (min)
 * through green to red (max). Written into a caller's Float32Array so a per-frame update of
 * thousands of sensors allocates nothing.
 */

// Stops of a turbo-like ramp: distinct hues at every quarter so a glance reads the band.
const STOPS: readonly (readonly [number, number, number])[] = [
  [0.19, 0.35, 0.95], // min: blue
  [0.1, 0.75, 0.85], // cyan
  [0.2, 0.8, 0.35], // mid: green
  [0.95, 0.8, 0.15], // yellow
  [0.92, 0.22, 0.16], // max: red
];

/** Grey for a reading that is `bad` or not yet received: it says "no trustworthy value". */
export const NO_VALUE_COLOR: readonly [number, number, number] = [0.42, 0.43, 0.47];

/** Write the ramp colour for `t` (0–1, clamped) as RGBA into `out` at `offset`. */
export function rampColorInto(t: number, out: Float32Array, offset: number): void {
  const clamped = t <= 0 ? 0 : t >= 1 ? 1 : t;
  const scaled = clamped * (STOPS.length - 1);
  const low = Math.min(Math.floor(scaled), STOPS.length - 2);
  const f = scaled - low;
  const a = STOPS[low]!;
  const b = STOPS[low + 1]!;
  out[offset] = a[0] + (b[0] - a[0]) * f;
  out[offset + 1] = a[1] + (b[1] - a[1]) * f;
  out[offset + 2] = a[2] + (b[2] - a[2]) * f;
  out[offset + 3] = 1;
}

/**
 * Write a sensor marker's colour as RGBA into `out` at `offset`: the ramp position of `value` in
 * `range`; grey when the value is NaN or the quality `bad`; half-way to grey when `uncertain`.
 */
export function sensorColorInto(
  value: number,
  range: Range,
  quality: Quality,
  out: Float32Array,
  offset: number,
): void {
  if (quality === 'bad' || !Number.isFinite(value)) {
    out[offset] = NO_VALUE_COLOR[0];
    out[offset + 1] = NO_VALUE_COLOR[1];
    out[offset + 2] = NO_VALUE_COLOR[2];
    out[offset + 3] = 1;
    return;
  }
  const span = range.max - range.min;
  rampColorInto(span > 0 ? (value - range.min) / span : 0.5, out, offset);
  if (quality === 'uncertain') {
    for (let c = 0; c < 3; c += 1) out[offset + c] = (out[offset + c]! + NO_VALUE_COLOR[c]!) / 2;
  }
}
