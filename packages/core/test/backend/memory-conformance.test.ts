import { describeCoordinatorConformance } from "../../src/testing/index.js";
import { MemoryCoordinator } from "../../src/backend/memory-coordinator.js";

describeCoordinatorConformance("memory", () => new MemoryCoordinator(), { eagerStart: true });
