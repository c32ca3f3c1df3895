/**
 * @flowmesh/cli — the `flowmesh` command line (`run`, `serve`, `worker`,
 * `validate`, `migrate`, `keygen`, `init`), usable programmatically too:
 * `await main(["run", "workflows/hello.yaml"])` returns the exit code.
 */
export { createProgram, main } from "./program.js";
export { processContext } from "./context.js";
export type { CliContext, Output } from "./context.js";
export { EXIT, exitCodeOf } from "./exit-codes.js";
export type { ExitCode } from "./exit-codes.js";
export { loadEngine } from "./engine/load-engine.js";
export type { CliEngine, LoadEngineOptions } from "./engine/load-engine.js";
export { followRun } from "./engine/follow-run.js";
export type { FollowRunOptions } from "./engine/follow-run.js";
export { applyEvent, viewFromRecord } from "./render/run-view.js";
export type { RunView, TaskView } from "./render/run-view.js";
export { renderFrame } from "./render/tty-frame.js";
export type { FrameOptions } from "./render/tty-frame.js";
export { frameUpdate, TtyRenderer } from "./render/tty-renderer.js";
export type { TtyOutput, TtyRendererOptions } from "./render/tty-renderer.js";
export { eventLine, LineRenderer } from "./render/line-renderer.js";
export { JsonRenderer } from "./render/json-renderer.js";
export type { RunResultLine } from "./render/json-renderer.js";
export type { RunRenderer } from "./render/renderer.js";
export { validateFile } from "./commands/validate.js";
export type { FileValidation, ValidationIssue } from "./commands/validate.js";
