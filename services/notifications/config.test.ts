// The environment schema: defaults, and the cross-field rules reported together with field errors in one message.
import { expect, test } from "bun:test";
import { type ConfigError, parseEnv } from "../../lib/config/env.ts";
import { notificationsEnv } from "./config.ts";

const JWKS = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "k1" }] });
const problems = (env: Record<string, string>) => {
  try {
    parseEnv("notifications", notificationsEnv, { INTERNAL_AUTH_JWKS: JWKS, ...env });
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
};

test("defaults: port 8082, log channel, 5 deliveries, 30 s ack wait, batches of 256, consumer on", () => {
  const cfg = parseEnv("notifications", notificationsEnv, { INTERNAL_AUTH_JWKS: JWKS });
  expect(cfg).toMatchObject({
    PORT: 8082,
    NOTIFY_CHANNEL: "log",
    NOTIFY_WEBHOOK_TIMEOUT_MS: 5_000,
    CONSUMER_ENABLED: true,
    CONSUMER_MAX_DELIVER: 5,
    CONSUMER_ACK_WAIT_MS: 30_000,
    CONSUMER_BATCH: 256,
    CONSUMER_MAX_ACK_PENDING: 1_024,
    RETRY_BASE_MS: 1_000,
    RETRY_MAX_MS: 60_000,
  });
  expect(cfg.NOTIFY_WEBHOOK_URL).toBeUndefined();
});

test("webhook: needs an http(s) URL and a timeout at most half the ack wait", () => {
  expect(problems({ NOTIFY_CHANNEL: "webhook" })).toEqual(["NOTIFY_WEBHOOK_URL: required when NOTIFY_CHANNEL=webhook"]);
  expect(problems({ NOTIFY_CHANNEL: "webhook", NOTIFY_WEBHOOK_URL: "ftp://x" })).toEqual(["NOTIFY_WEBHOOK_URL: must be an http:// or https:// URL"]);
  expect(problems({ NOTIFY_CHANNEL: "webhook", NOTIFY_WEBHOOK_URL: "https://hooks.example/n", NOTIFY_WEBHOOK_TIMEOUT_MS: "20000" })).toEqual([
    "NOTIFY_WEBHOOK_TIMEOUT_MS: must be at most half of CONSUMER_ACK_WAIT_MS",
  ]);
  expect(problems({ NOTIFY_CHANNEL: "webhook", NOTIFY_WEBHOOK_URL: "https://hooks.example/n" })).toEqual([]);
  expect(problems({ NOTIFY_CHANNEL: "sms" })[0]).toStartWith("NOTIFY_CHANNEL:");
});

test("cross-field rules are listed together with the other problems", () => {
  const p = problems({
    RETRY_BASE_MS: "5000",
    RETRY_MAX_MS: "1000",
    CONSUMER_BATCH: "512",
    CONSUMER_MAX_ACK_PENDING: "100",
    CONSUMER_MAX_DELIVER: "0",
    PORT: "x",
  });
  expect(p.map((x) => x.split(":")[0]).sort()).toEqual(["CONSUMER_MAX_ACK_PENDING", "CONSUMER_MAX_DELIVER", "PORT", "RETRY_BASE_MS"]);
});
