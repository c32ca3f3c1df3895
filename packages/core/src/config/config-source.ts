/**
 * Where a config came from, and how its problems are reported: every message
 * names the file and the path (`flowmesh.config.yaml plugins[1].options.url:
 * expected a URL`), the way definition errors name theirs.
 */
import { dirname, isAbsolute, relative } from "node:path";
import { FlowMeshError, type FlowMeshErrorCode } from "../errors.js";

/** One problem in a config: `path` as formatted by `formatPath` (`plugins[1][1].url`), raw tuple indices and all. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigSource {
  /** The folder relative plugin paths and workflow globs resolve from. */
  readonly dir: string;
  /** The file as shown in messages: relative to `cwd`. */
  readonly label: string;

  /**
   * @param file absolute path of the config file
   * @param cwd what the label is relative to
   * @param packageKey the config is package.json's `flowmesh` key: paths start with `flowmesh.`
   */
  constructor(
    readonly file: string,
    cwd: string,
    readonly packageKey = false,
  ) {
    this.dir = dirname(file);
    this.label = displayPath(file, cwd);
  }

  /**
   * The path as users read it. A tuple's options show as `.options`
   * (`plugins[1][1].url` → `plugins[1].options.url`) and its specifier as the
   * entry itself; package.json paths start with `flowmesh`.
   */
  path(raw: string): string {
    const path = raw
      .replace(/^(plugins\[\d+\]|backend)\[1\]/, "$1.options")
      .replace(/^(plugins\[\d+\]|backend)\[0\]/, "$1");
    if (!this.packageKey) return path;
    return path === "" ? "flowmesh" : path.startsWith("[") ? `flowmesh${path}` : `flowmesh.${path}`;
  }

  /** `flowmesh.config.yaml plugins[1]`, or just the file for the root. */
  where(raw: string): string {
    const path = this.path(raw);
    return path === "" ? this.label : `${this.label} ${path}`;
  }

  /** One error listing every issue: `file path: message; path: message`. */
  error(
    code: FlowMeshErrorCode,
    issues: readonly ConfigIssue[],
    options: { details?: Record<string, unknown>; cause?: unknown; hint?: string } = {},
  ): FlowMeshError {
    const shown = issues.map((issue) => ({ path: this.path(issue.path), message: issue.message }));
    const list = shown.map((issue, i) => {
      const at = i > 0 ? issue.path : issue.path === "" ? this.label : `${this.label} ${issue.path}`;
      return at === "" ? issue.message : `${at}: ${issue.message}`;
    });
    const hint = options.hint === undefined ? "" : `. ${options.hint}`;
    return new FlowMeshError(code, `${list.join("; ")}${hint}`, {
      cause: options.cause,
      details: { configFile: this.file, ...options.details, issues: shown },
    });
  }
}

/** A path as shown in messages: relative to `cwd` when that is shorter to read. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === "" || isAbsolute(rel) || rel.startsWith("../../") ? file : rel;
}
