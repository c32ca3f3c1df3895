/** Query-string helpers. */

/** `?status=a,b&status=c` → `["a", "b", "c"]`; undefined when absent. */
export function listOf(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return [value]
    .flat()
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}
