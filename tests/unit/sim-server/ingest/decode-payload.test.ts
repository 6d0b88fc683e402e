import { describe, expect, it } from 'vitest';
import {
  DEFAULT_READING_LIMITS,
  PAYLOAD_REASONS,
  decodeTextPayload,
} from '../../../../sim-server/ingest/payload/index.js';
import type { ReadingLimits } from '../../../../sim-server/ingest/payload/index.js';
import { seededRandom, temperatureSensor } from './fixtures.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const sensor = temperatureSensor();
const text = (s: string) => new TextEncoder().encode(s);
const json = (body: unknown) =>
  decodeTextPayload(text(JSON.stringify(body)), 'json', sensor, NOW, DEFAULT_READING_LIMITS);

describe('decodeTextPayload', () => {
  it('reads the JSON object form with value, time and quality', () => {
    expect(json({ value: 71.5, t: NOW - 1000, quality: 'uncertain' })).toEqual({
      ok: true,
      reading: { sensorId: 'TT-1', t: NOW - 1000, value: 71.5, quality: 'uncertain' },
    });
  });

  it('defaults the time to the receive time and the quality to good', () => {
    expect(json({ value: 20 })).toEqual({
      ok: true,
      reading: { sensorId: 'TT-1', t: NOW, value: 20, quality: 'good' },
    });
  });

  it('accepts an ISO 8601 time', () => {
    const result = json({ value: 20, t: '2026-11-23T11:59:00Z' });
    expect(result).toMatchObject({ ok: true, reading: { t: NOW - 60_000 } });
  });

  it('reads a bare number in both formats', () => {
    for (const format of ['json', 'number'] as const) {
      expect(
        decodeTextPayload(text(' 42.25\n'), format, sensor, NOW, DEFAULT_READING_LIMITS),
      ).toEqual({
        ok: true,
        reading: { sensorId: 'TT-1', t: NOW, value: 42.25, quality: 'good' },
      });
    }
  });

  it('refuses an object where the topic promises a bare number', () => {
    const result = decodeTextPayload(
      text('{"value":1}'),
      'number',
      sensor,
      NOW,
      DEFAULT_READING_LIMITS,
    );
    expect(result).toMatchObject({ ok: false, reason: 'wrong_type' });
  });

  it('makes a bad reading NaN whatever value came with it, and allows null only then', () => {
    expect(json({ value: 12, quality: 'bad' })).toMatchObject({
      ok: true,
      reading: { quality: 'bad' },
    });
    const bad = json({ value: null, quality: 'bad' });
    expect(bad.ok && Number.isNaN(bad.reading.value)).toBe(true);
    expect(json({ value: null })).toMatchObject({ ok: false, reason: 'wrong_type' });
  });

  it('downgrades a value slightly out of range to uncertain and refuses one far out', () => {
    expect(json({ value: 160 })).toMatchObject({
      ok: true,
      reading: { value: 160, quality: 'uncertain' },
    });
    expect(json({ value: 1000 })).toMatchObject({ ok: false, reason: 'out_of_range' });
    expect(json({ value: -151 })).toMatchObject({ ok: false, reason: 'out_of_range' });
  });

  it.each([
    ['NaN', 'non_finite'],
    ['-Infinity', 'non_finite'],
    ['1e400', 'non_finite'],
    ['{"value":"NaN"}', 'non_finite'],
    ['{"value":NaN}', 'json_parse'],
    ['{"value":"12"}', 'wrong_type'],
    ['{"value":true}', 'wrong_type'],
    ['{"value":[1]}', 'wrong_type'],
    ['[1,2]', 'wrong_type'],
    ['"12"', 'wrong_type'],
    ['null', 'wrong_type'],
    ['{}', 'missing_field'],
    ['{"t":1}', 'missing_field'],
    ['{"value":1,"quality":"great"}', 'bad_quality'],
    ['{"value":1,"quality":3}', 'wrong_type'],
    ['{"value":1,"t":"yesterday"}', 'bad_timestamp'],
    ['{"value":1,"t":true}', 'wrong_type'],
    ['{"value":1,', 'json_parse'],
    ['', 'json_parse'],
  ])('refuses %s as %s', (payload, reason) => {
    const result = decodeTextPayload(text(payload), 'json', sensor, NOW, DEFAULT_READING_LIMITS);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.message).toMatch(/^(value|t|quality|payload):/);
  });

  it('refuses timestamps far in the future or the past, naming how far', () => {
    const future = json({ value: 1, t: NOW + 3_600_000 });
    expect(future).toMatchObject({ ok: false, reason: 'bad_timestamp' });
    expect(future.ok ? '' : future.message).toContain('60 min in the future');
    expect(json({ value: 1, t: NOW - 30 * 86_400_000 })).toMatchObject({
      ok: false,
      reason: 'bad_timestamp',
    });
    expect(json({ value: 1, t: NOW + 60_000 })).toMatchObject({ ok: true });
  });

  it('refuses invalid UTF-8 and oversized payloads before parsing', () => {
    const invalid = decodeTextPayload(
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      'json',
      sensor,
      NOW,
      DEFAULT_READING_LIMITS,
    );
    expect(invalid).toMatchObject({
      ok: false,
      reason: 'json_parse',
      message: 'payload: not valid UTF-8 text',
    });
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0x31);
    const result = decodeTextPayload(huge, 'json', sensor, NOW, DEFAULT_READING_LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
    expect(result.ok ? '' : result.message).toContain('10485760 bytes');
  });

  it('honours a smaller size limit', () => {
    const limits: ReadingLimits = { ...DEFAULT_READING_LIMITS, maxPayloadBytes: 8 };
    expect(decodeTextPayload(text('{"value":1.5}'), 'json', sensor, NOW, limits)).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });
});

describe('decodeTextPayload under fuzz', () => {
  const fragments = [
    '{',
    '}',
    '[',
    ']',
    '"value"',
    '"t"',
    '"quality"',
    ':',
    ',',
    'null',
    'true',
    'false',
    'NaN',
    'Infinity',
    '-',
    '1e309',
    '0.5',
    '42',
    '"good"',
    '"bad"',
    '"x"',
    '\\u0000',
    ' ',
    '\n',
    '9'.repeat(30),
  ];
  const reasons = new Set<string>(PAYLOAD_REASONS);

  it('classifies 5,000 random byte strings and 5,000 JSON-ish fragments without throwing', () => {
    const random = seededRandom(20261123);
    const counts = new Map<string, number>();
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const bytes = new Uint8Array(Math.floor(random() * 64));
      for (let j = 0; j < bytes.length; j += 1) bytes[j] = Math.floor(random() * 256);
      inputs.push(bytes);
    }
    for (let i = 0; i < 5000; i += 1) {
      let s = '';
      const n = 1 + Math.floor(random() * 12);
      for (let j = 0; j < n; j += 1) s += fragments[Math.floor(random() * fragments.length)] ?? '';
      inputs.push(text(s));
    }
    for (const bytes of inputs) {
      for (const format of ['json', 'number'] as const) {
        const result = decodeTextPayload(bytes, format, sensor, NOW, DEFAULT_READING_LIMITS);
        if (result.ok) {
          const { value, quality, t } = result.reading;
          expect(quality === 'bad' ? Number.isNaN(value) : Number.isFinite(value)).toBe(true);
          expect(Number.isFinite(t)).toBe(true);
          counts.set('accepted', (counts.get('accepted') ?? 0) + 1);
        } else {
          expect(reasons.has(result.reason)).toBe(true);
          expect(result.message.length).toBeGreaterThan(0);
          counts.set(result.reason, (counts.get(result.reason) ?? 0) + 1);
        }
      }
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(20_000);
    // The fuzz reaches beyond the parser: several different reasons, not just json_parse.
    expect(counts.size).toBeGreaterThanOrEqual(5);
  });

  it('accepts every well-formed random reading unchanged', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 2000; i += 1) {
      const value = Math.round(random() * 150 * 1000) / 1000;
      const t = NOW - Math.floor(random() * 86_400_000);
      const quality = random() < 0.5 ? 'good' : 'uncertain';
      expect(json({ value, t, quality })).toEqual({
        ok: true,
        reading: { sensorId: 'TT-1', t, value, quality },
      });
    }
  });
});
