/** The issues' goals, checked against the figures and printed as a table. */
import { renderTable } from "./table.js";

export interface Goal {
  name: string;
  wanted: string;
  actual: string;
  /** undefined: a side is missing, so the goal could not be checked. */
  pass: boolean | undefined;
}

export function formatGoals(goals: readonly Goal[]): string {
  return renderTable(
    "Goals",
    [{ header: "goal" }, { header: "wanted" }, { header: "actual", numeric: true }, { header: "" }],
    goals.map((g) => [g.name, g.wanted, g.actual, g.pass === undefined ? "n/a" : g.pass ? "PASS" : "MISS"]),
  );
}
