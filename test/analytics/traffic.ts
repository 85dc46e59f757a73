import type { SettledGeneration } from "../../src/domain/settled-generation.js";

/** Small deterministic PRNG (mulberry32) so generated traffic is the same every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrafficShape {
  accounts: string[];
  keysPerAccount: number;
  models: string[];
  providers: string[];
  apps: { referer: string | null; title: string | null }[];
  from: Date;
  days: number;
}

/** `count` plausible settled generations spread over the shape, deterministically. */
export function* generateTraffic(shape: TrafficShape, count: number, seed = 1): Generator<SettledGeneration> {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  for (let i = 0; i < count; i += 1) {
    const accountId = pick(shape.accounts);
    const ok = rand() > 0.03;
    const isByok = rand() < 0.2;
    const promptTokens = ok ? 50 + Math.floor(rand() * 4000) : 0;
    const completionTokens = ok ? Math.floor(rand() * 1500) : 0;
    const base = BigInt(promptTokens) * 2500n + BigInt(completionTokens) * 10_000n;
    const app = pick(shape.apps);
    const latencyMs = 80 + Math.floor(rand() * 6000);
    yield {
      id: `gen-${seed}-${i}`,
      accountId,
      apiKeyId: `${accountId}-key-${Math.floor(rand() * shape.keysPerAccount)}`,
      model: pick(shape.models),
      provider: pick(shape.providers),
      createdAt: new Date(shape.from.getTime() + Math.floor(rand() * shape.days * 86_400_000)),
      appReferer: app.referer,
      appTitle: app.title,
      promptTokens,
      completionTokens,
      reasoningTokens: Math.floor(completionTokens * rand() * 0.3),
      cachedTokens: Math.floor(promptTokens * rand() * 0.5),
      isByok,
      creditUsageNano: ok && !isByok ? base : 0n,
      feeNano: ok ? (isByok ? 0n : (base * 500n + 9999n) / 10000n) : 0n,
      byokUpstreamNano: ok && isByok ? base : 0n,
      latencyMs,
      ttftMs: rand() < 0.6 ? Math.floor(latencyMs * rand() * 0.5) : null,
      generationTimeMs: null,
      ok,
      status: ok ? 200 : pick([429, 502, 503]),
      streamed: rand() < 0.6,
    };
  }
}
