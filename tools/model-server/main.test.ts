// main.ts as a real child process: env and flags read, a lang-id call answered, SIGTERM exits 0 with a hang open.
import { expect, test } from "bun:test";
import { spawnTestModelServer } from "./testing/start.ts";

test("serves lang-id from a child process, starts with the env's fault, and stops on SIGTERM despite a hanging request", async () => {
  const server = await spawnTestModelServer({ fault: { fault: "not-ready" } });
  try {
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(503);
    const res = await fetch(`${server.url}/v2/models/lang-id/infer`, {
      method: "POST",
      body: JSON.stringify({ inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["Dit is een Nederlandse zin over het weer."] }] }),
    });
    expect((await res.json()).outputs[0].data).toEqual(["nl"]);
    const hanging = fetch(`${server.url}/v2/models/lang-id/infer`, { method: "POST", headers: { "x-model-server-fault": "hang" }, body: "{}" }).catch(
      () => "closed",
    );
    await Bun.sleep(50);
    expect(await server.kill("SIGTERM")).toBe(0);
    expect(await hanging).toBe("closed");
  } finally {
    await server.kill("SIGKILL").catch(() => {});
  }
});
