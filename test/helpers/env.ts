/**
 * Runs `f` with environment variables set (undefined: unset), restoring them afterwards; when `f` returns a promise,
 * they are restored once it settles. For tests of switches read from process.env (MASSIVE_WEBGPU_*).
 */
export function withEnv<T>(vars: Record<string, string | undefined>, f: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  };
  set(vars);
  let result: T;
  try {
    result = f();
  } catch (err) {
    set(saved);
    throw err;
  }
  if (result instanceof Promise) return result.finally(() => set(saved)) as T;
  set(saved);
  return result;
}
