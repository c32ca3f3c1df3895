import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { globFiles, isGlob } from "../../src/config/glob.js";
import { useProjects } from "./support.js";

const project = useProjects();

describe("globFiles", () => {
  const tree = () =>
    project({
      "flows/a.yaml": "",
      "flows/b.yml": "",
      "flows/c.json": "",
      "flows/.hidden.yaml": "",
      "flows/deep/d.yaml": "",
      "flows/deep/deeper/e.yaml": "",
      "flows/node_modules/pkg/f.yaml": "",
      "other/g.yaml": "",
    });

  it("matches * and ? within one name, sorted, hidden files left out", () => {
    const dir = tree();
    expect(globFiles("flows/*.yaml", dir)).toEqual([join(dir, "flows/a.yaml")]);
    expect(globFiles("flows/?.y*", dir)).toEqual([join(dir, "flows/a.yaml"), join(dir, "flows/b.yml")]);
    expect(globFiles("*/*.yaml", dir)).toEqual([join(dir, "flows/a.yaml"), join(dir, "other/g.yaml")]);
  });

  it("matches ** at any depth, zero folders included, skipping node_modules and hidden folders", () => {
    const dir = tree();
    expect(globFiles("flows/**/*.yaml", dir)).toEqual([
      join(dir, "flows/a.yaml"),
      join(dir, "flows/deep/d.yaml"),
      join(dir, "flows/deep/deeper/e.yaml"),
    ]);
  });

  it("matches a hidden file when the pattern's name starts with a dot", () => {
    const dir = tree();
    expect(globFiles("flows/.*.yaml", dir)).toEqual([join(dir, "flows/.hidden.yaml")]);
  });

  it("returns a plain path when the file exists, and nothing for folders or missing paths", () => {
    const dir = tree();
    expect(globFiles("flows/c.json", dir)).toEqual([join(dir, "flows/c.json")]);
    expect(globFiles("flows/deep", dir)).toEqual([]);
    expect(globFiles("nope/*.yaml", dir)).toEqual([]);
  });

  it("takes absolute patterns and treats regex characters literally", () => {
    const dir = project({ "a+b (1).yaml": "", "ab.yaml": "" });
    expect(globFiles(join(dir, "a+b (?).yaml"), "/elsewhere")).toEqual([join(dir, "a+b (1).yaml")]);
  });

  it("tells globs from plain paths", () => {
    expect([isGlob("a/*.yaml"), isGlob("a/?.yaml"), isGlob("a/b.yaml")]).toEqual([true, true, false]);
  });
});
