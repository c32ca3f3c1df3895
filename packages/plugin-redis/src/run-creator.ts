/**
 * Creating runs: the runs started in one tick go to the create script
 * together, each naming its run template (see run-templates.ts), and each
 * start learns whether it created its run or found the one its idempotency
 * key names.
 */
import type { CreateRunRequest, CreateRunResult, RunSummary } from "@flowmesh/core/plugin";
import { Batcher } from "./batcher.js";
import { decodeSummary, SUMMARY_FIELDS, toJson } from "./codec.js";
import { claimedTasks, countedEntries } from "./flat-replies.js";
import { RunTemplates } from "./run-templates.js";
import type { ScriptArgs } from "./script.js";

/** Arguments per create script call at most (a single run with its template may have more). */
const CREATE_ARGS = 8_192;

/** Runs the create script with these arguments (after the key prefix and the hash padding). */
export type SendCreate = (args: ScriptArgs) => Promise<unknown>;

export class RunCreator {
  /** What runs of one graph store alike, sent once per create call. */
  private readonly templates = new RunTemplates();
  /** Runs started in one tick, created by one script call (or a few, when their templates are large). */
  private readonly creations = new Batcher<(string | number)[]>(
    async (args) => {
      // Sent together on one connection, the calls run in order.
      const replies = await Promise.all(this.templates.calls(args, CREATE_ARGS).map(this.send));
      return replies.flatMap((flat) => countedEntries(flat as unknown[])) as (string | number)[][];
    },
    128,
    CREATE_ARGS,
  );

  constructor(private readonly send: SendCreate) {}

  async create(request: CreateRunRequest): Promise<CreateRunResult> {
    const namespace = request.namespace;
    const template = this.templates.idOf(request.graph, request.workflow, request.version, namespace);
    const timeout = request.timeoutMs === undefined ? "" : String(request.timeoutMs);
    // The run's own fields; what it shares with every run of its graph is in its template.
    // Whole numbers only (the script parses them before it writes anything).
    const claim = request.claim;
    const max = claim === undefined ? 0 : Math.max(0, Math.floor(claim.max));
    const eager = max === 0 ? "" : `${max}:${Math.max(1, Math.ceil(claim!.leaseMs))}`;
    const args: ScriptArgs = [0, request.id, request.idempotencyKey ?? "", timeout, template, eager, 1];
    args.push("in", toJson(request.input, "run input"));
    if (request.idempotencyKey !== undefined) args.push("ik", request.idempotencyKey);
    if (request.requestHash !== undefined) args.push("rh", request.requestHash);
    if (request.startedBy !== undefined) args.push("by", request.startedBy);
    if (timeout !== "") args.push("tmo", timeout);
    args[0] = args.length - 1;
    args[6] = (args.length - 7) / 2;
    const reply = await this.creations.add(args);
    if (reply[0] === 0) {
      const values = reply.slice(2) as string[];
      const hash: Record<string, string> = {};
      SUMMARY_FIELDS.forEach((field, i) => (hash[field] = values[i] ?? ""));
      return { run: decodeSummary(String(reply[1]), hash), created: false };
    }
    // An eager start's leased roots follow the creation's own three values.
    const claimed = reply.length > 3 ? claimedTasks(reply.slice(3)) : undefined;
    const run: RunSummary = {
      id: request.id,
      workflow: request.workflow,
      version: request.version,
      status: claimed === undefined ? "pending" : "running",
      input: request.input,
      idempotencyKey: request.idempotencyKey,
      requestHash: request.requestHash,
      startedBy: request.startedBy,
      createdAt: Number(reply[1]),
      startedAt: claimed === undefined ? undefined : Number(reply[1]),
      deadlineAt: reply[2] === "" || reply[2] === undefined ? undefined : Number(reply[2]),
      namespace,
    };
    return claimed === undefined ? { run, created: true } : { run, created: true, claimed };
  }
}
