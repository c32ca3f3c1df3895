/** The README documents every metric the plugin exports, with its type and labels, and every option. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { METRICS, optionsSchema } from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The README's table row for a metric, as cells. */
function row(name: string): string[] | undefined {
  const line = readme.split("\n").find((l) => l.startsWith(`| \`${name}\``));
  return line?.split("|").map((cell) => cell.trim());
}

describe("README", () => {
  it.each(Object.values(METRICS))("lists $name with its type and labels", (spec) => {
    const cells = row(spec.name);
    expect(cells, `no table row for ${spec.name}`).toBeDefined();
    expect(cells![2]).toBe(spec.type);
    const labels = cells![3] === "—" ? [] : cells![3]!.split(",").map((l) => l.trim().replace(/`/g, ""));
    expect(labels).toEqual([...spec.labels]);
    expect(cells![4]!.length).toBeGreaterThan(20);
  });

  it("documents every option", () => {
    for (const option of Object.keys(optionsSchema.shape)) expect(readme).toContain(`| \`${option}\``);
  });
});
