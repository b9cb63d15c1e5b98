// The relay's claim query with a large backlog: it must read about one batch of rows, not sort the whole backlog per batch.
// (Migration 0002's outbox_due_idx fixed it: before, PostgreSQL seq-scanned and sorted every pending row per batch.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { migrate } from "../../lib/db/migrate.ts";
import type { Sql } from "../../lib/db/postgres.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { migrations } from "../../services/orders/migrations/index.ts";
import { claimDue } from "../../services/orders/outbox/outbox-store.ts";
import { insertOutboxRows, orderPlacedRow } from "./outbox-events.ts";

const BACKLOG = Number(process.env.PIPELINE_CLAIM_BACKLOG ?? 30_000);
const BATCH = 256;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Actual Rows": number;
  "Sort Method"?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

describe("outbox relay claim [postgres]", () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let sql: postgres.Sql;
  const sent: { query: string; params: unknown[] }[] = [];
  beforeAll(async () => {
    db = await createTempDatabase("pl_claim");
    // A client that reports each statement it sends, so the test explains exactly what claimDue() runs.
    sql = postgres(db.url, { max: 1, onnotice: () => {}, debug: (_conn, query, params) => sent.push({ query, params: params as unknown[] }) });
    await migrate(sql as unknown as Sql, migrations, { log: silentLogger });
    await insertOutboxRows(
      sql as unknown as Sql,
      Array.from({ length: BACKLOG }, (_, i) => orderPlacedRow(`claim-${i % 50}`)),
    );
    await sql`ANALYZE outbox`;
  }, 60_000);
  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await db?.drop();
  });

  test(`claiming ${BATCH} of ${BACKLOG} due rows reads about ${BATCH} rows: no sequential scan, no sort of the backlog`, async () => {
    sent.length = 0;
    const claimed = await sql.begin(async (tx) => claimDue(tx as unknown as Sql, BATCH));
    expect(claimed).toHaveLength(BATCH);
    const claim = sent.find((s) => /FROM outbox/i.test(s.query) && /FOR UPDATE SKIP LOCKED/i.test(s.query));
    if (!claim) throw new Error("claimDue() sent no claim statement");

    // EXPLAIN ANALYZE runs the statement: inside a transaction, so its row locks end with it.
    const [row] = await sql.begin((tx) => tx.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) ${claim.query}`, claim.params as postgres.ParameterOrJSON<never>[]));
    const plan = (row?.["QUERY PLAN"] as { Plan: PlanNode; "Execution Time": number }[] | undefined)?.[0];
    if (!plan) throw new Error("EXPLAIN returned no plan");
    const all = nodes(plan.Plan);
    const shape = all.map((n) => `${n["Node Type"]}${n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""} (${n["Actual Rows"]} rows)`).join(" → ");
    console.log(`claim of ${BATCH} from ${BACKLOG}: ${plan["Execution Time"].toFixed(1)} ms: ${shape}`);
    expect(all.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"])).toEqual([]);
    expect(all.filter((n) => n["Node Type"] === "Sort").map((n) => n["Sort Method"])).toEqual([]);
    expect(Math.max(...all.map((n) => n["Actual Rows"]))).toBeLessThanOrEqual(2 * BATCH);
  }, 60_000);
});
