/**
 * The bundled price database's answers kept as JSON (src/catalog/bundled-price-cache.ts): a start
 * reads the kept providers instead of loading the package, and gets exactly what the package
 * answers; a damaged file, another version or another id list is answered by the package again.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProvider, type Provider } from "@pydantic/genai-prices";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cachedProviders } from "../../src/catalog/bundled-price-cache.js";
import { bundledPriceData } from "../../src/catalog/price-database.js";

describe("the bundled price data, kept", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "farebox-price-cache-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is what the package answers, from the first start and from the file after it", () => {
    const ids = ["openai", "anthropic", "groq", "no-such-provider"];
    const fromPackage = [...ids, "openrouter"].flatMap((id) => findProvider({ providerId: id }) ?? []);
    expect(fromPackage.map((provider) => provider.id)).toEqual(["openai", "anthropic", "groq", "openrouter"]);
    const first = bundledPriceData(ids, dir);
    expect(readdirSync(dir)).toHaveLength(1);
    const kept = bundledPriceData(ids, dir);
    expect(first.providers).toEqual(fromPackage);
    expect(kept.providers).toEqual(fromPackage);
    expect(kept.label).toBe("genai-prices (bundled)");
  });

  it("loads the package only when nothing valid is kept for that version and id list", () => {
    const providers = [{ id: "openai", name: "OpenAI" }] as unknown as Provider[];
    const load = vi.fn(() => providers);
    expect(cachedProviders(dir, "1.0.0", ["openai"], load)).toEqual(providers);
    expect(cachedProviders(dir, "1.0.0", ["openai"], load)).toEqual(providers);
    expect(load).toHaveBeenCalledTimes(1);
    // another list: answered again, kept beside the first
    cachedProviders(dir, "1.0.0", ["openai", "groq"], load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(readdirSync(dir)).toHaveLength(2);
    // another version (an upgrade): answered again, and the other version's files are removed
    writeFileSync(join(dir, "unrelated.txt"), "");
    cachedProviders(dir, "1.0.1", ["openai"], load);
    expect(load).toHaveBeenCalledTimes(3);
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^genai-prices-1\.0\.1-[0-9a-f]{16}\.json$/), "unrelated.txt"]);
    // back to the first version: its files were removed with the upgrade
    cachedProviders(dir, "1.0.0", ["openai"], load);
    expect(load).toHaveBeenCalledTimes(4);
    // a damaged file is answered again and replaced
    for (const name of readdirSync(dir)) writeFileSync(join(dir, name), "{ not json");
    expect(cachedProviders(dir, "1.0.0", ["openai"], load)).toEqual(providers);
    expect(load).toHaveBeenCalledTimes(5);
    cachedProviders(dir, "1.0.0", ["openai"], load);
    expect(load).toHaveBeenCalledTimes(5);
  });

  it("answers from the package when it cannot keep the file", () => {
    const blocked = join(dir, "a-file");
    writeFileSync(blocked, "");
    const load = vi.fn(() => [] as Provider[]);
    expect(cachedProviders(join(blocked, "below"), "1.0.0", ["openai"], load)).toEqual([]);
    expect(cachedProviders(join(blocked, "below"), "1.0.0", ["openai"], load)).toEqual([]);
    expect(load).toHaveBeenCalledTimes(2);
    expect(readdirSync(dir)).toEqual(["a-file"]);
  });
});
