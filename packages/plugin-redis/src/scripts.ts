/** Every state transition's script, made once per process. */
import { CREATE_RUN } from "./lua/create-run.js";
import { FAIL } from "./lua/fail.js";
import { FINISH_RUN } from "./lua/finish-run.js";
import { HEARTBEAT } from "./lua/heartbeat.js";
import { RECOVER } from "./lua/recover.js";
import { RESULT } from "./lua/result.js";
import { RETRY_RUN } from "./lua/retry-run.js";
import { ROUND } from "./lua/round.js";
import { Script } from "./script.js";

export const SCRIPTS = {
  createRun: new Script("createRun", CREATE_RUN),
  round: new Script("round", ROUND),
  heartbeat: new Script("heartbeat", HEARTBEAT),
  fail: new Script("fail", FAIL),
  finishRun: new Script("finishRun", FINISH_RUN),
  retryRun: new Script("retryRun", RETRY_RUN),
  recover: new Script("recover", RECOVER),
  result: new Script("result", RESULT),
} as const;

export type ScriptName = keyof typeof SCRIPTS;
