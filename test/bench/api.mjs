#!/usr/bin/env node
// `npm run bench:api`: GET /v1/imports/{id} and GET /v1/imports on the local stack under load
// (autocannon), next to a trivial Worker answering a constant JSON on the same runtime, in the
// same run. Prints rps, p50 and p99, and the ratios.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import autocannon from "autocannon";
import { ensureDevVars, ROOT, WRANGLER } from "../../scripts/lib.mjs";
import { startLocalStack } from "../../scripts/local-stack.mjs";

const KEY = "bench_api_key";
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

function load(url, headers = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function startTrivial(port) {
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "-c",
      `${ROOT}test/bench/trivial/wrangler.jsonc`,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--show-interactive-dev-session=false",
    ],
    {
      stdio: "ignore",
      detached: true,
    },
  );
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
}

ensureDevVars({ ALLOW_PRIVATE_SOURCES: "true" });
const persistTo = `${ROOT}bench-data/state-api`;
rmSync(persistTo, { recursive: true, force: true });
const stack = await startLocalStack({ port: 8791, persistTo, tenant: "bench", apiKey: KEY, quiet: true });
const stopTrivial = await startTrivial(8792);
try {
  const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
  const upload = await (
    await fetch(`${stack.base}/v1/uploads`, {
      method: "POST",
      headers,
      body: JSON.stringify({ filename: "a.csv" }),
    })
  ).json();
  let importId = "";
  for (let i = 0; i < 20; i++) {
    const created = await fetch(`${stack.base}/v1/imports`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        name: `Import ${i}`,
        type: "orders",
        format: "velocidi_csv",
        source: { type: "upload", key: upload.key },
        schedule: { everyDays: 1, startAt: "2026-01-01T02:00:00Z" },
      }),
    });
    importId = (await created.json()).id;
  }
  const peer = await load("http://127.0.0.1:8792/");
  const rows = [
    ["trivial Worker (constant JSON)", peer],
    [
      `GET /v1/imports/{id}`,
      await load(`${stack.base}/v1/imports/${importId}`, { authorization: `Bearer ${KEY}` }),
    ],
    [
      "GET /v1/imports (20 imports)",
      await load(`${stack.base}/v1/imports`, { authorization: `Bearer ${KEY}` }),
    ],
  ];
  console.log(`${CONNECTIONS} connections, ${DURATION} s each`);
  for (const [name, r] of rows) {
    const ratio =
      r === peer
        ? ""
        : `  ${(r.requests.average / peer.requests.average).toFixed(2)}× rps, p99 ${(r.latency.p99 / Math.max(peer.latency.p99, 1)).toFixed(1)}× the trivial Worker's`;
    console.log(
      `  ${name.padEnd(32)} ${r.requests.average.toFixed(0).padStart(6)} rps  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(4)} ms  errors ${r.errors + r.non2xx}${ratio}`,
    );
  }
} finally {
  stopTrivial();
  await stack.stop();
}
