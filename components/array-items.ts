/** Items of an array property from AdminJS's flattened params ("tags.0", "tags.1", ...). */
export function arrayItems(params: Record<string, unknown>, path: string): string[] {
  const whole = params[path];
  if (Array.isArray(whole)) return whole.map(String);
  const prefix = `${path}.`;
  return Object.keys(params)
    .filter((k) => k.startsWith(prefix) && /^\d+$/.test(k.slice(prefix.length)))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map((k) => String(params[k]));
}
