// The in-memory test transport passes the same contract suite as the real transports, so worker tests on it mean something.
import { transportContract } from "../transport.suite.ts";
import { createMemoryTransport } from "./memory-transport.ts";

transportContract("memory", async () => ({ transport: createMemoryTransport(), cleanup: async () => {} }));
