/** Every state transition's script, made once per process. */
import { CLAIM } from "./lua/claim.js";
import { COMPLETE } from "./lua/complete.js";
import { CREATE_RUN } from "./lua/create-run.js";
import { FAIL } from "./lua/fail.js";
import { FINISH_RUN } from "./lua/finish-run.js";
import { HEARTBEAT } from "./lua/heartbeat.js";
import { RECOVER } from "./lua/recover.js";
import { RESULT } from "./lua/result.js";
import { RETRY_RUN } from "./lua/retry-run.js";
import { Script } from "./script.js";

export const SCRIPTS = {
  createRun: new Script("createRun", CREATE_RUN),
  claim: new Script("claim", CLAIM),
  heartbeat: new Script("heartbeat", HEARTBEAT),
  complete: new Script("complete", COMPLETE),
  fail: new Script("fail", FAIL),
  finishRun: new Script("finishRun", FINISH_RUN),
  retryRun: new Script("retryRun", RETRY_RUN),
  recover: new Script("recover", RECOVER),
  result: new Script("result", RESULT),
} as const;

export type ScriptName = keyof typeof SCRIPTS;
