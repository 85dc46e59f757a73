import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

describe("serving the dashboard's files", () => {
  let testApp: TestApp;
  let unbuilt: TestApp;
  const script = "console.log('dashboard');".repeat(20);
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), "farebox-web-"));
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "index.html"), "<!doctype html><title>farebox</title>");
    writeFileSync(join(root, "assets", "main-abc.js"), script);
    writeFileSync(join(root, "assets", "main-abc.js.br"), brotliCompressSync(script));
    testApp = await startTestApp("pglite", { deps: { dashboardRoot: root } });
    unbuilt = await startTestApp("pglite", { deps: { dashboardRoot: join(root, "missing") } });
  });
  afterAll(async () => {
    await testApp?.close();
    await unbuilt?.close();
  });

  it("serves index.html at / and the assets precompressed, cached by their hashed names", async () => {
    const page = await fetch(`${testApp.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(await page.text()).toContain("<title>farebox</title>");
    const asset = await fetch(`${testApp.url}/assets/main-abc.js`, { headers: { "accept-encoding": "br" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-encoding")).toBe("br");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(await asset.text()).toBe(script);
  });

  it("shadows no API path: unknown paths still answer the API's 404 envelope", async () => {
    for (const path of ["/api/v1/nothing", "/v1/nothing", "/nothing", "/assets/missing.js"]) {
      const response = await fetch(`${testApp.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as any).error.code).toBe(404);
    }
    expect(await (await fetch(`${testApp.url}/health`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${testApp.url}/metrics`)).headers.get("content-type")).toContain("text/plain");
    expect((await fetch(`${testApp.url}/api/v1/models`)).status).toBe(200);
  });

  it("serves nothing when the dashboard is not built", async () => {
    expect((await fetch(`${unbuilt.url}/`)).status).toBe(404);
  });
});
