/**
 * A small Prometheus-text metrics registry: counters, gauges and histograms with labels. Enough
 * for one process's /metrics; no dependency, no global state (the server owns one registry).
 */

type Labels = Readonly<Record<string, string>>;

interface Metric {
  readonly name: string;
  readonly help: string;
  render(): string[];
}

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((key) => `${key}="${escapeLabel(labels[key] ?? '')}"`).join(',');
}

// Prometheus text format: backslash, double quote and newline must be escaped in label values.
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function sample(name: string, key: string, value: number): string {
  return key === '' ? `${name} ${formatValue(value)}` : `${name}{${key}} ${formatValue(value)}`;
}

/** A monotonically increasing count, optionally split by labels. */
export class Counter implements Metric {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  /** The count for one label set (0 when never incremented). */
  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  /** Every label set's count, keyed by the rendered label string. */
  entries(): [string, number][] {
    return [...this.#values.entries()];
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.#values.size === 0) lines.push(sample(this.name, '', 0));
    for (const [key, value] of this.#values) lines.push(sample(this.name, key, value));
    return lines;
  }
}

/** A value that goes up and down; either set directly or read from a callback at scrape time. */
export class Gauge implements Metric {
  readonly #values = new Map<string, number>();
  readonly #collect: (() => number) | undefined;
  constructor(
    readonly name: string,
    readonly help: string,
    collect?: () => number,
  ) {
    this.#collect = collect;
  }

  set(value: number, labels: Labels = {}): void {
    this.#values.set(labelKey(labels), value);
  }

  get(labels: Labels = {}): number {
    if (this.#collect !== undefined && Object.keys(labels).length === 0) return this.#collect();
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    if (this.#collect !== undefined) lines.push(sample(this.name, '', this.#collect()));
    else if (this.#values.size === 0) lines.push(sample(this.name, '', 0));
    for (const [key, value] of this.#values) lines.push(sample(this.name, key, value));
    return lines;
  }
}

/** Observations counted into cumulative buckets (upper bounds), plus their sum and count. */
export class Histogram implements Metric {
  readonly #counts: number[];
  #sum = 0;
  #count = 0;
  #max = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.#counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.#sum += value;
    this.#count += 1;
    if (value > this.#max) this.#max = value;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? Infinity)) this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    }
  }

  get count(): number {
    return this.#count;
  }

  get sum(): number {
    return this.#sum;
  }

  get max(): number {
    return this.#max;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, i) => {
      lines.push(sample(`${this.name}_bucket`, `le="${formatValue(bound)}"`, this.#counts[i] ?? 0));
    });
    lines.push(sample(`${this.name}_bucket`, 'le="+Inf"', this.#count));
    lines.push(sample(`${this.name}_sum`, '', this.#sum));
    lines.push(sample(`${this.name}_count`, '', this.#count));
    return lines;
  }
}

/** Named metrics rendered together in Prometheus text exposition format 0.0.4. */
export class MetricsRegistry {
  readonly #metrics: Metric[] = [];

  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }

  gauge(name: string, help: string, collect?: () => number): Gauge {
    return this.#add(new Gauge(name, help, collect));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }

  /** The whole registry as Prometheus text. */
  render(): string {
    return this.#metrics.flatMap((metric) => metric.render()).join('\n') + '\n';
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) {
      throw new Error(`Invariant: metric ${metric.name} registered twice`);
    }
    this.#metrics.push(metric);
    return metric;
  }
}
