/**
 * The operator's treasury commands as an operator runs them (real processes against anvil):
 * `treasury:deploy` deploys the shipped receiver and prints the config to set; `treasury:sweep` moves
 * its ETH and USDC to the owner's chosen wallet, and refuses a key that is not the owner's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, parseEther, toHex, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { ANVIL_MNEMONIC, artifact, startAnvil, type Anvil } from "../support/anvil.js";
import { depositReceiverAbi } from "../../src/chains/evm/abis.js";

const root = join(import.meta.dirname, "../..");
const usdcAbi = artifact("MockUSDC").abi;
const OPERATOR = 7;
const keyOf = (index: number) => toHex(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
let anvil: Anvil;
let usdc: Address;
const dir = mkdtempSync(join(tmpdir(), "farebox-treasury-"));

function writeConfig(treasury: Address, receiver: boolean): string {
  const path = join(dir, `config-${treasury}.yaml`);
  writeFileSync(
    path,
    [
      "chains:",
      "  evm:",
      `    - chain_id: ${anvil.chainId}`,
      `      rpc_url: ${anvil.url}`,
      `      treasury: "${treasury}"`,
      `      treasury_receiver: ${receiver}`,
      "      assets:",
      "        - { symbol: ETH, native: true }",
      `        - { symbol: USDC, address: "${usdc}", decimals: 6 }`,
      "",
    ].join("\n"),
  );
  return path;
}

function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(root, "src/cli", script), ...args], { cwd: root, env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  anvil = await startAnvil();
  usdc = await anvil.deploy("MockUSDC");
});
afterAll(async () => {
  await anvil?.stop();
});

describe("treasury:deploy and treasury:sweep", () => {
  // Seven real processes (each starts tsx): slow on a loaded machine.
  it("deploys a receiver owned by the operator, prints it, and sweeps ETH and USDC to the chosen wallet", { timeout: 180_000 }, async () => {
    const plainConfig = writeConfig(getAddress("0x000000000000000000000000000000000000fEEd"), false);
    const noKey = await run("treasury-deploy.ts", ["--chain", String(anvil.chainId)], { FAREBOX_CONFIG: plainConfig });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/FAREBOX_OPERATOR_KEY/);
    expect((await run("treasury-deploy.ts", ["--chain", "999"], { FAREBOX_CONFIG: plainConfig, FAREBOX_OPERATOR_KEY: keyOf(OPERATOR) })).code).toBe(2);

    const deployed = await run("treasury-deploy.ts", ["--chain", String(anvil.chainId)], { FAREBOX_CONFIG: plainConfig, FAREBOX_OPERATOR_KEY: keyOf(OPERATOR) });
    expect(deployed.code, deployed.stderr).toBe(0);
    const address = getAddress(/treasury: "(0x[0-9a-fA-F]{40})"/.exec(deployed.stdout)?.[1] ?? "0x");
    expect(deployed.stdout).toMatch(/treasury_receiver: true/);
    const operator = anvil.wallet(OPERATOR).account.address;
    expect(await anvil.publicClient.readContract({ address, abi: depositReceiverAbi, functionName: "owner" })).toBe(getAddress(operator));

    await anvil.publicClient.waitForTransactionReceipt({ hash: await anvil.wallet(1).sendTransaction({ to: address, value: parseEther("0.5") }) });
    await anvil.publicClient.waitForTransactionReceipt({ hash: await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [address, 7_000_000n] }) });
    const receiverConfig = writeConfig(address, true);
    const cold = getAddress("0x00000000000000000000000000000000000c01d0");

    const stranger = await run("treasury-sweep.ts", ["--chain", String(anvil.chainId), "--to", cold], { FAREBOX_CONFIG: receiverConfig, FAREBOX_OPERATOR_KEY: keyOf(6) });
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/not the receiver's owner/);

    const swept = await run("treasury-sweep.ts", ["--chain", String(anvil.chainId), "--to", cold], { FAREBOX_CONFIG: receiverConfig, FAREBOX_OPERATOR_KEY: keyOf(OPERATOR) });
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toMatch(/swept 500000000000000000 base units of ETH/);
    expect(swept.stdout).toMatch(/swept 7000000 base units of USDC/);
    expect(await anvil.publicClient.getBalance({ address })).toBe(0n);
    expect(await anvil.publicClient.getBalance({ address: cold })).toBe(parseEther("0.5"));
    expect(await anvil.publicClient.readContract({ address: usdc, abi: usdcAbi, functionName: "balanceOf", args: [cold] })).toBe(7_000_000n);

    const again = await run("treasury-sweep.ts", ["--chain", String(anvil.chainId)], { FAREBOX_CONFIG: receiverConfig, FAREBOX_OPERATOR_KEY: keyOf(OPERATOR) });
    expect(again.stdout).toMatch(/nothing to sweep/);
    expect((await run("treasury-sweep.ts", ["--chain", String(anvil.chainId)], { FAREBOX_CONFIG: plainConfig, FAREBOX_OPERATOR_KEY: keyOf(OPERATOR) })).code).toBe(2);
  });
});
