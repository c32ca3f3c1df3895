/** Types of the YAML/JSON workflow DSL: parse options, export options, source positions. */

/** The two text formats of a workflow file. */
export type WorkflowFormat = "yaml" | "json";

/** Options of {@link parseWorkflow} and {@link parseWorkflowFile}. */
export interface ParseWorkflowOptions {
  /**
   * The text's format. JSON is checked as strict JSON (no comments, no trailing commas).
   * @default from the `source` extension (`.json` is JSON), else `"yaml"`
   */
  format?: WorkflowFormat;
  /**
   * The file the text came from: errors name it (`pipeline.yaml:7:5 ...`) and relative
   * module handler references (`./tasks/s3.js#extract`) resolve against it.
   */
  source?: string;
  /**
   * Largest accepted text, in bytes (UTF-8): bigger input is refused before parsing.
   * @default 1048576 (1 MiB)
   */
  maxBytes?: number;
  /**
   * Budget for alias expansions (`*anchor`), each counted by the aliases inside the value it
   * repeats (yaml's `maxAliasCount`): an alias bomb is refused as soon as it exceeds this.
   * `0` forbids aliases.
   * @default 100
   */
  maxAliasCount?: number;
}

/** Key spelling of exported definitions. */
export type KeyStyle = "snake_case" | "camelCase";

/** Options of {@link toYAML} and {@link toJSON}. */
export interface ExportOptions {
  /**
   * `snake_case` writes `depends_on`, `retry_count`, `base_delay`; `camelCase` writes the
   * {@link WorkflowDefinitionInput} spelling (`dependsOn`, `retry`, `baseDelay`).
   * @default "snake_case" for YAML, "camelCase" for JSON
   */
  keys?: KeyStyle;
  /**
   * A JSON Schema URL or path for editors: YAML gets a `# yaml-language-server: $schema=...`
   * line, JSON a `"$schema"` key.
   */
  schema?: string;
}

/** A place in a source text; line and column start at 1. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** One problem found in a workflow file, with where it is. */
export interface LocatedIssue extends SourcePosition {
  /** Where in the definition, as users read it: `tasks[1].depends_on[0]` (empty for the whole document). */
  path: string;
  message: string;
}
