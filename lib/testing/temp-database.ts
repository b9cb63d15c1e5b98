// Test helper: fresh, empty databases on the test PostgreSQL server (TEST_DATABASE_URL, read when one is made).
import { createSql, type Sql } from "../db/postgres.ts";

const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** The server that `createTempDatabase` and the `[postgres]` suites use: TEST_DATABASE_URL now, or the local default. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** A fresh, empty database on the test server; `drop()` removes it (forcibly disconnecting clients). */
export async function createTempDatabase(prefix = "test"): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const server = testDatabaseUrl();
  const name = `${prefix}_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  await withAdmin(server, (admin) => admin.unsafe(`create database "${name}"`));
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: () => withAdmin(server, (admin) => admin.unsafe(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}

async function withAdmin<T>(server: string, fn: (admin: Sql) => Promise<T>): Promise<T> {
  const admin = createSql(server, { max: 1, connectTimeoutSeconds: 5, applicationName: "db-test-harness" });
  try {
    return await fn(admin);
  } catch (err) {
    const code = (err as { code?: string }).code ?? "error";
    throw new Error(
      `PostgreSQL for tests failed at TEST_DATABASE_URL=${redact(server)} (${code}: ${(err as Error).message}). ` +
        "Start PostgreSQL (trust auth) or point TEST_DATABASE_URL at one; these tests never skip.",
      { cause: err },
    );
  } finally {
    await admin.end({ timeout: 1 });
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
