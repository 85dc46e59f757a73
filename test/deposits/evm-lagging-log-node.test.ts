import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hash } from "viem";
import { startEvmDepositWorld, type EvmDepositWorld } from "../support/evm-deposits.js";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.js";
import { dbKinds } from "../support/db.js";
import { createAccount } from "../../src/ledger/index.js";

describe.each(dbKinds)("a log node behind the head loses no deposit (%s)", (kind) => {
  let world: EvmDepositWorld;
  let proxy: RpcProxy;

  beforeAll(async () => {
    world = await startEvmDepositWorld(kind);
    proxy = await startRpcProxy(world.anvil.url);
    expect(await world.sync()).not.toBeInstanceOf(Error);
  });
  afterAll(async () => {
    await proxy?.stop();
    await world?.stop();
  });

  it("credits all 8 USDC deposits although eth_getLogs was answered by a node 6 blocks behind while they confirmed", async () => {
    const alice = await createAccount(world.database.db);
    await world.linkWallet(alice, 1);
    const txs: Hash[] = await world.sendUsdcInOneBlock(1, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n].map((i) => i * 1_000_000n));
    // A healthy pass first sees them all (confirming).
    await world.sync({ rpcUrl: proxy.url });
    for (const tx of txs) expect((await world.rows(tx))[0]?.status).toBe("seen");
    // They become deep enough while the load balancer sends eth_getLogs to a node 6 blocks behind.
    proxy.logsLag = 6;
    await world.anvil.mine(4);
    for (let pass = 0; pass < 3; pass += 1) await world.sync({ rpcUrl: proxy.url });
    for (const tx of txs) expect((await world.rows(tx))[0]?.status).not.toBe("orphaned");
    // The lagging node catches up: every deposit is credited exactly once.
    proxy.logsLag = 0;
    await world.sync({ rpcUrl: proxy.url });
    for (const tx of txs) expect((await world.rows(tx)).map((r) => r.status)).toEqual(["credited"]);
    expect(await world.balance(alice)).toBe(36_000_000_000n);
    const audit = await world.audit();
    expect(audit.problems).toEqual([]);
    expect(audit.chain.depositsChecked).toBe(8);
  });

  it("keeps crediting below the lagging node's head while it stays behind", async () => {
    const bob = await createAccount(world.database.db);
    await world.linkWallet(bob, 2);
    proxy.logsLag = 3;
    const tx = await world.sendUsdc(2, 5_000_000n);
    await world.anvil.mine(8);
    await world.sync({ rpcUrl: proxy.url });
    expect((await world.rows(tx)).map((r) => r.status)).toEqual(["credited"]);
    expect(await world.balance(bob)).toBe(5_000_000_000n);
    proxy.logsLag = 0;
    expect((await world.audit()).problems).toEqual([]);
  });
});
