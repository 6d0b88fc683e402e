import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../../sim-server/metrics/registry.js';

describe('MetricsRegistry', () => {
  it('renders counters by label, gauges read at scrape time and cumulative histograms', () => {
    const registry = new MetricsRegistry();
    const rejects = registry.counter('rejects_total', 'Refused.');
    rejects.inc({ reason: 'invalid_command' });
    rejects.inc({ reason: 'invalid_command' });
    rejects.inc({ reason: 'say "hi"' });
    let depth = 3;
    registry.gauge('queue_depth', 'Depth.', () => depth);
    const sizes = registry.histogram('patch_bytes', 'Sizes.', [10, 100]);
    sizes.observe(5);
    sizes.observe(50);
    depth = 7;
    const text = registry.render();
    expect(text).toContain('rejects_total{reason="invalid_command"} 2');
    expect(text).toContain('rejects_total{reason="say \\"hi\\""} 1');
    expect(text).toContain('queue_depth 7');
    expect(text).toContain('patch_bytes_bucket{le="10"} 1');
    expect(text).toContain('patch_bytes_bucket{le="100"} 2');
    expect(text).toContain('patch_bytes_bucket{le="+Inf"} 2');
    expect(text).toContain('patch_bytes_sum 55');
  });

  it('refuses a metric registered twice', () => {
    const registry = new MetricsRegistry();
    registry.counter('a_total', 'A.');
    expect(() => registry.counter('a_total', 'A.')).toThrow(/registered twice/);
  });
});
