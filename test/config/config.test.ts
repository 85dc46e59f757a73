import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load.js";

function writeConfig(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "farebox-config-")), "farebox.yaml");
  writeFileSync(path, yaml);
  return path;
}

describe("configuration", () => {
  it("starts with defaults and no file", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      dataDir: "./data",
      databaseUrl: undefined,
      adminToken: undefined,
      fees: { credit_bps: 500, byok_bps: 0 },
      providers: {},
      models: [],
      catalog: { include_default: true },
      chains: { evm: [], solana: null },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.fees)).toBe(true);
  });

  it("reads the file and takes secrets from the environment", () => {
    const path = writeConfig(`
fees: { credit_bps: 700, byok_bps: 100 }
providers:
  openai: { protocol: openai, base_url: https://api.openai.com/v1, api_key: "\${OPENAI_API_KEY}" }
  local: { protocol: openai, base_url: "http://\${OLLAMA_HOST}/v1", api_key: "\${UNSET_KEY}" }
models:
  - id: openai/gpt-4o-mini
    context_length: 128000
    endpoints:
      - { provider: openai, model: gpt-4o-mini, pricing: { prompt: "0.00000015", completion: "0.0000006" } }
`);
    const config = loadConfig({ FAREBOX_CONFIG: path, OPENAI_API_KEY: "sk-test", OLLAMA_HOST: "127.0.0.1:11434" });
    expect(config.fees).toEqual({ credit_bps: 700, byok_bps: 100 });
    expect(config.providers.openai?.api_key).toBe("sk-test");
    expect(config.providers.local?.base_url).toBe("http://127.0.0.1:11434/v1");
    expect(config.providers.local?.api_key).toBeUndefined();
    expect(config.models[0]?.endpoints[0]?.pricing.prompt).toBe("0.00000015");
  });

  it("lists every problem with the key's path at once", () => {
    const path = writeConfig(`
fees: { credit_bps: -1 }
providers:
  openai: { protocol: carrier-pigeon, base_url: "https://\${MISSING_HOST}/v1" }
models:
  - id: no-slash
    context_length: 0
    endpoints: []
chains:
  evm:
    - { chain_id: 8453, rpc_url: "not a url", treasury: "0x12", assets: [] }
surprise: true
`);
    let error: unknown;
    try {
      loadConfig({ FAREBOX_CONFIG: path, PORT: "eighty" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join("\n");
    for (const expected of [
      "env: PORT",
      "fees.credit_bps",
      "providers.openai.protocol",
      "providers.openai.base_url: environment variable MISSING_HOST is not set",
      "models.0.id",
      "models.0.context_length",
      "models.0.endpoints",
      "chains.evm.0.rpc_url",
      "chains.evm.0.treasury",
      "chains.evm.0.assets",
      "surprise",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("reports an unreadable or malformed file instead of crashing", () => {
    expect(() => loadConfig({ FAREBOX_CONFIG: "/nonexistent/farebox.yaml" })).toThrow(ConfigError);
    expect(() => loadConfig({ FAREBOX_CONFIG: writeConfig("fees: [unclosed") })).toThrow(ConfigError);
  });

  it("refuses an x402 section naming unknown chains, a chain without USDC, or no relayer key, with the key path", () => {
    const path = writeConfig(`
chains:
  evm:
    - chain_id: 8453
      rpc_url: "http://127.0.0.1:8545"
      treasury: "0x000000000000000000000000000000000000fEEd"
      assets: [{ symbol: ETH, native: true, price_feed: "0x71041dddad3595F9CEd3DcCFBe3D1F4b0a16Bb70" }]
x402:
  enabled: true
  relayer_private_key: "\${X402_RELAYER_KEY}"
  chains: ["eip155:8453", "eip155:10"]
`);
    let error: unknown;
    try {
      loadConfig({ FAREBOX_CONFIG: path });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join("\n");
    expect(text).toContain("x402.relayer_private_key: is required to settle payments when no facilitator_url is set");

    let second: unknown;
    try {
      loadConfig({ FAREBOX_CONFIG: path, X402_RELAYER_KEY: "0x12" });
    } catch (caught) {
      second = caught;
    }
    const problems = (second as ConfigError).problems.join("\n");
    expect(problems).toContain("x402.relayer_private_key");
    const fixed = writeConfig(readFileSync(path, "utf8").replace('relayer_private_key: "${X402_RELAYER_KEY}"', `relayer_private_key: "0x${"ab".repeat(32)}"`));
    let third: unknown;
    try {
      loadConfig({ FAREBOX_CONFIG: fixed });
    } catch (caught) {
      third = caught;
    }
    const chainProblems = (third as ConfigError).problems.join("\n");
    expect(chainProblems).toContain("x402.chains.0: eip155:8453 has no USDC token asset");
    expect(chainProblems).toContain("x402.chains.1: eip155:10 is not configured under chains.evm");
    expect(loadConfig({}).x402.enabled).toBe(false);
  });

  it("refuses x402 on Solana without chains.solana, a USDC mint or the fee payer's key, and on a Solana network it does not serve", () => {
    const problemsOf = (text: string): string => {
      try {
        loadConfig({ FAREBOX_CONFIG: writeConfig(text) });
      } catch (caught) {
        expect(caught).toBeInstanceOf(ConfigError);
        return (caught as ConfigError).problems.join("\n");
      }
      return "";
    };
    const unconfigured = problemsOf(`
x402:
  enabled: true
  chains: ["solana:mainnet", "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"]
`);
    expect(unconfigured).toContain("x402.chains.0: solana:mainnet is not configured under chains.solana");
    expect(unconfigured).toContain("x402.chains.1: solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1: the Solana chain is offered as solana:mainnet");
    expect(unconfigured).toContain("x402.relayer_solana_secret_key: is required to settle Solana payments");
    expect(unconfigured).not.toContain("x402.relayer_private_key");
    const solana = `
chains:
  solana:
    rpc_url: "http://127.0.0.1:8899"
    treasury: "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
    assets: [{ symbol: SOL, native: true }]
x402:
  enabled: true
  relayer_solana_secret_key: "${"1".repeat(64)}"
  chains: ["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"]
`;
    expect(problemsOf(solana)).toContain("x402.chains.0: solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp has no USDC mint asset");
    const withUsdc = solana.replace("assets: [{ symbol: SOL, native: true }]", 'assets: [{ symbol: USDC, mint: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v" }]');
    expect(problemsOf(withUsdc)).toBe("");
  });
});
