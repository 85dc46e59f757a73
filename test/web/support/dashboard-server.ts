/**
 * The world a dashboard test runs in: anvil with a mock USDC, the LiteSVM Solana RPC harness, a
 * fake OpenAI upstream, the dashboard built, and the real gateway process (src/main.ts on embedded
 * PGlite) configured with all three, listening on a port chosen up front so `auth.domain` names it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { getAddress, type Address } from "viem";
import { dashboardIsStale } from "../../../src/build-if-stale.js";
import { buildDashboard } from "../../../src/web/build.js";
import { artifact, startAnvil, type Anvil } from "../../support/anvil.js";
import { startFakeOpenAI, type FakeUpstream } from "../../support/fake-upstreams/index.js";
import { startSolanaRpc, type SolanaRpcServer } from "../../support/solana-rpc/server.js";
import { USDC_MINT } from "../../support/solana-rpc/fixtures.js";
import { freePort } from "../../support/free-port.js";

const root = join(import.meta.dirname, "../../..");
export const TREASURY = getAddress("0x0000000000000000000000000000000000d0d0d0");
export const MODEL_ID = "test/chat";
export const ANSWER = "Hello from the fake upstream, streamed word by word.";
const usdcAbi = artifact("MockUSDC").abi;

export interface DashboardWorld {
  url: string;
  anvil: Anvil;
  usdc: Address;
  solana: SolanaRpcServer;
  upstream: FakeUpstream;
  /** Everything the gateway printed. */
  output(): string;
  stop(): Promise<void>;
}

function waitForReady(child: ChildProcessWithoutNullStreams, log: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      log.text += chunk.toString();
      if (log.text.includes('"msg":"farebox ready"')) resolve();
    });
    child.stderr.on("data", (chunk: Buffer) => (log.text += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`gateway exited ${code} before ready:\n${log.text}`)));
  });
}

/** Starts everything; the EVM wallet `payerIndex` holds 1,000 USDC. */
export async function startDashboardWorld(payerIndex: number): Promise<DashboardWorld> {
  const [anvil, solana, upstream] = await Promise.all([
    startAnvil(),
    // nothing is finalized until the test says so, so a Solana deposit is seen confirming first
    startSolanaRpc({ finalizedLag: 1_000 }),
    startFakeOpenAI({ script: { text: ANSWER, usage: { prompt: 11, completion: 9 }, frameDelayMs: 120 } }),
  ]);
  const usdc = await anvil.deploy("MockUSDC");
  await anvil.publicClient.waitForTransactionReceipt({
    hash: await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [anvil.wallet(payerIndex).account.address, 1_000_000_000n] }),
    pollingInterval: 20,
  });
  // what `npm start` does: build only when the sources changed since the last build
  if (dashboardIsStale()) await buildDashboard();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "farebox-dashboard-"));
  const configPath = join(dir, "farebox.yaml");
  writeFileSync(
    configPath,
    [
      "auth:",
      `  domain: "127.0.0.1:${port}"`,
      "providers:",
      `  alpha: { protocol: openai, base_url: "${upstream.url}/v1", api_key: "alpha-key" }`,
      "catalog: { include_default: false }",
      "models:",
      `  - id: ${MODEL_ID}`,
      "    name: Test Chat",
      "    context_length: 100000",
      "    max_completion_tokens: 1000",
      '    endpoints: [{ provider: alpha, model: alpha-chat, pricing: { prompt: "0.000001", completion: "0.000002" } }]',
      "chains:",
      "  evm:",
      `    - chain_id: ${anvil.chainId}`,
      `      rpc_url: "${anvil.url}"`,
      `      treasury: "${TREASURY}"`,
      "      confirmations: 3",
      "      poll_interval_ms: 200",
      "      start_block: 1",
      "      assets:",
      `        - { symbol: USDC, address: "${usdc}", decimals: 6 }`,
      "  solana:",
      `    rpc_url: "${solana.url}"`,
      `    treasury: "${Keypair.generate().publicKey.toBase58()}"`,
      "    commitment: finalized",
    "    poll_interval_ms: 200",
      "    assets:",
      `      - { symbol: USDC, mint: "${USDC_MINT.toBase58()}", decimals: 6 }`,
      "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: join(dir, "data"), FAREBOX_CONFIG: configPath },
  });
  const log = { text: "" };
  try {
    await waitForReady(child, log);
  } catch (error) {
    await Promise.all([anvil.stop(), solana.close(), upstream.close()]);
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    anvil,
    usdc,
    solana,
    upstream,
    output: () => log.text,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      child.kill("SIGKILL");
      await Promise.all([anvil.stop(), solana.close(), upstream.close()]);
    },
  };
}
