/** Turns zod issues into one readable line naming each option. */
import type { z } from "zod";

export function collectOptionIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `option "${issue.path.map(String).join(".") || "(root)"}": ${issue.message}`)
    .join("; ");
}
