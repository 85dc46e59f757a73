import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { evmChainKey } from "../../src/chains/evm/client.js";
import { find, parsePrometheus } from "../metrics/parse-prometheus.js";
import { startAnvil, artifact, type Anvil } from "../support/anvil.js";
import { startMain, waitForReady } from "../support/main-process.js";

const usdcAbi = artifact("MockUSDC").abi;
const treasury = getAddress("0x0000000000000000000000000000000000d0d0d0");
let anvil: Anvil;
let usdc: Address;
let child: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  anvil = await startAnvil();
  usdc = await anvil.deploy("MockUSDC");
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await anvil?.stop();
});

describe("the gateway process with an EVM chain configured", () => {
  it("runs the deposit listener from main: a wallet's USDC is credited at finality, and SIGTERM stops it", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "farebox-evm-"));
    const configPath = join(dir, "farebox.yaml");
    writeFileSync(
      configPath,
      [
        "auth:",
        "  domain: pay.farebox.test",
        "  uri: https://pay.farebox.test/login",
        "chains:",
        "  evm:",
        `    - chain_id: ${anvil.chainId}`,
        '      rpc_url: "${TEST_RPC_URL}"',
        `      treasury: "${treasury}"`,
        "      confirmations: finalized",
        "      poll_interval_ms: 100",
        "      start_block: 1",
        "      assets:",
        `        - { symbol: USDC, address: "${usdc}", decimals: 6 }`,
        "",
      ].join("\n"),
    );
    child = startMain({ DATA_DIR: join(dir, "data"), FAREBOX_CONFIG: configPath, TEST_RPC_URL: anvil.url });
    const address = await waitForReady(child);
    const payer = anvil.wallet(1);
    const challenge = (await (
      await fetch(`${address}/api/v1/auth/challenge`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chain: "evm", address: payer.account.address }) })
    ).json()) as { message: string };
    const signature = await payer.account.signMessage!({ message: challenge.message });
    const session = (await (
      await fetch(`${address}/api/v1/auth/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: challenge.message, signature }) })
    ).json()) as { key: string };

    await anvil.publicClient.waitForTransactionReceipt({
      hash: await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [payer.account.address, 9_000_000n] }),
      pollingInterval: 20,
    });
    const hash = await payer.writeContract({ address: usdc, abi: usdcAbi, functionName: "transfer", args: [treasury, 9_000_000n] });
    await anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    await anvil.mine(2);
    const credits = async () =>
      ((await (await fetch(`${address}/api/v1/credits`, { headers: { authorization: `Bearer ${session.key}` } })).json()) as { data: { total_credits: number } }).data
        .total_credits;
    const deadline = Date.now() + 20_000;
    while ((await credits()) !== 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await credits()).toBe(9);

    // The listener's position is in /metrics: caught up at finality (anvil finalizes 2 below its
    // head) once a pass has read the head and the finalized block after the last block was mined.
    const chain = { chain: evmChainKey(anvil.chainId) };
    const scrape = async () => parsePrometheus(await (await fetch(`${address}/metrics`)).text());
    await expect.poll(async () => find(await scrape(), "farebox_chain_listener_lag_blocks", chain)[0]?.value, { timeout: 10_000, interval: 100 }).toBe(2);
    const metrics = await scrape();
    const lastSuccess = find(metrics, "farebox_chain_listener_last_success_timestamp_seconds", chain)[0]?.value ?? 0;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(10);

    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
