/**
 * A do-nothing 2D canvas for code that draws into one (the capsule layer's label atlas) when it
 * runs in Node on Babylon's NullEngine: `OffscreenCanvas` whose context accepts every call.
 * What is drawn is the browser tests' business; Node tests and benches look at instances.
 */
export function installNullCanvas(): void {
  const context = new Proxy(
    {},
    {
      get: (target: Record<string | symbol, unknown>, key) =>
        key in target
          ? target[key]
          : key === 'measureText'
            ? () => ({ width: 10 })
            : () => undefined,
      set: (target: Record<string | symbol, unknown>, key, value) => {
        target[key] = value;
        return true;
      },
    },
  );
  (globalThis as Record<string, unknown>)['OffscreenCanvas'] ??= class {
    constructor(
      readonly width: number,
      readonly height: number,
    ) {}
    getContext(): unknown {
      return context;
    }
  };
}
