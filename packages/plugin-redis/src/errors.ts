/** Errors the Redis backend raises, as FlowMeshErrors with codes from core. */
import { FlowMeshError } from "@flowmesh/core";

export function unreachable(status: string): FlowMeshError {
  return new FlowMeshError("FM_ERR_BACKEND", `redis backend: Redis is unreachable (connection ${status})`, {
    details: { status },
  });
}

export function closed(): FlowMeshError {
  return new FlowMeshError("FM_ERR_CLOSED", "the redis backend is closed");
}

/** Wraps a failed Redis call; FlowMeshErrors pass through. */
export function backendError(operation: string, error: unknown): FlowMeshError {
  if (error instanceof FlowMeshError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FlowMeshError("FM_ERR_BACKEND", `redis backend: ${operation} failed: ${message}`, {
    cause: error,
    details: { operation },
  });
}
