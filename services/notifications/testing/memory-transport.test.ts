// The in-memory test transport passes the same contract suite as the real transports, so worker tests on it mean something.
import { transportContract } from "../../../lib/messaging/transport-contract.ts";
import { createMemoryTransport } from "./memory-transport.ts";

transportContract("memory (test helper)", async () => ({ transport: createMemoryTransport(), cleanup: async () => {} }));
