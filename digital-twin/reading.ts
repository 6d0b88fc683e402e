export const QUALITIES = ['good', 'uncertain', 'bad'] as const;
export type Quality = (typeof QUALITIES)[number];

/** One sample. `t` is ms since the Unix epoch. A `bad` reading's value is NaN: never made up. */
export interface Reading {
  sensorId: string;
  t: number;
  value: number;
  quality: Quality;
}
