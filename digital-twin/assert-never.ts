/** Exhaustive-switch helper: a new variant of a union becomes a compile error at every `default:`. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Invariant: unexpected ${what}: ${JSON.stringify(value)}`);
}
