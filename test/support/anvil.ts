/**
 * Starts the real anvil binary (from @foundry-rs/anvil-linux-amd64) on its own free port and
 * gives viem clients for it. `--slots-in-an-epoch 1` makes `finalized` = latest − 2.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  publicActions,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type TestClient,
  type WalletClient,
  type Chain,
  type Account,
  type Transport,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { SHIPPED } from "./compile-contracts.js";
import { freePort } from "./free-port.js";

/** Anvil's funded dev accounts, derived from its default mnemonic ("test test … junk"). */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";
export function anvilAccount(index: number): Account {
  return mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
}

export interface Anvil {
  url: string;
  chainId: number;
  publicClient: PublicClient;
  testClient: TestClient<"anvil", Transport, Chain>;
  wallet(index: number): WalletClient<Transport, Chain, Account>;
  /** Deploys a compiled artifact from contracts-abi/test/<name>.json; returns its address. */
  deploy(name: string, args?: readonly unknown[]): Promise<Address>;
  mine(blocks: number): Promise<void>;
  stop(): Promise<void>;
}

/** Path of the anvil binary shipped by the npm package (spawned directly so killing it really stops it). */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
}

/** Reads a compiled contract artifact: a shipped one (contracts-abi/<file>.json) or a test one (contracts-abi/test/<name>.json). */
export function artifact(name: string): { abi: Abi; bytecode: Hex; deployedBytecode: Hex } {
  const file = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "contracts-abi", SHIPPED[name] ?? join("test", `${name}.json`));
  return JSON.parse(readFileSync(file, "utf8")) as { abi: Abi; bytecode: Hex; deployedBytecode: Hex };
}

/** Spawns anvil and waits until it answers JSON-RPC. */
export async function startAnvil(options: { chainId?: number; extraArgs?: string[] } = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337;
  const port = await freePort();
  const child: ChildProcess = spawn(
    anvilBinary(),
    ["--port", String(port), "--host", "127.0.0.1", "--chain-id", String(chainId), "--slots-in-an-epoch", "1", "--silent", ...(options.extraArgs ?? [])],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const chain: Chain = { ...foundry, id: chainId };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`anvil did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const transport = http(url);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient;
  const testClient = createTestClient({ chain, transport, mode: "anvil", cacheTime: 0 });
  const wallet = (index: number) =>
    createWalletClient({ chain, transport, account: anvilAccount(index), cacheTime: 0 });
  const deploy = async (name: string, args: readonly unknown[] = []) => {
    const { abi, bytecode } = artifact(name);
    const client = wallet(0).extend(publicActions);
    const hash = await client.deployContract({ abi, bytecode, args });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (!receipt.contractAddress) throw new Error(`deploy of ${name} failed`);
    return receipt.contractAddress;
  };
  return {
    url,
    chainId,
    publicClient,
    testClient,
    wallet,
    deploy,
    mine: (blocks: number) => testClient.mine({ blocks }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
