// The shared worker and dead-letter suites (worker.suite.ts, dead-letters.suite.ts) on the in-memory transport and a real PostgreSQL database.
import { createSql } from "../../../lib/db/postgres.ts";
import { createMemoryTransport } from "../../../lib/messaging/testing/memory-transport.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { deadLetterScenarios } from "../dead-letters/dead-letters.suite.ts";
import type { OpenScenarioEnv } from "../testing/describe-worker.ts";
import { workerScenarios } from "./worker.suite.ts";

const open: OpenScenarioEnv = async () => {
  const db = await createTempDatabase("notif_worker");
  const sql = createSql(db.url, { max: 4 });
  return {
    transport: createMemoryTransport(),
    sql,
    cleanup: async () => {
      await sql.end({ timeout: 1 });
      await db.drop();
    },
  };
};

workerScenarios("memory transport", open);
deadLetterScenarios("memory transport", open);
