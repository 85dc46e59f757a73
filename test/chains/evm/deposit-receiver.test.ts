/**
 * The shipped DepositReceiver: its bytecode is its source compiled (so `treasury:deploy` needs no
 * compiler), the code's typed ABI matches the shipped one, and receive() costs less than the 2,300-gas
 * stipend that Solidity's transfer()/send() forward.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { formatAbiItem } from "viem/utils";
import { parseEther, type Abi } from "viem";
import { compileContracts } from "../../support/compile-contracts.js";
import { anvilAccount, startAnvil, type Anvil } from "../../support/anvil.js";
import { depositReceiverAbi } from "../../../src/chains/evm/abis.js";

const shippedPath = new URL("../../../contracts-abi/deposit-receiver.json", import.meta.url);
const shipped = JSON.parse(readFileSync(shippedPath, "utf8")) as { source: string; abi: Abi; bytecode: string; deployedBytecode: string };
const STIPEND = 2_300n;
const PLAIN_TRANSFER_GAS = 21_000n;

let anvil: Anvil;
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
});

const signatures = (abi: Abi) => abi.filter((item) => item.type === "function" || item.type === "event").map((item) => formatAbiItem(item)).sort();

describe("the shipped deposit receiver", () => {
  it("is exactly its source compiled, and every test artifact is too", () => {
    const compiled = compileContracts();
    const receiver = compiled.find((c) => c.name === "DepositReceiver");
    expect(receiver?.path).toBe("deposit-receiver.json");
    expect(shipped).toEqual(receiver?.artifact);
    for (const { path, artifact } of compiled) {
      expect(JSON.parse(readFileSync(new URL(`../../../contracts-abi/${path}`, import.meta.url), "utf8")), path).toEqual(artifact);
    }
  });

  it("has the ABI the code declares", () => {
    expect(signatures(depositReceiverAbi as Abi)).toEqual(signatures(shipped.abi));
  });

  it("takes a plain payment within the 2,300-gas stipend", async () => {
    const receiver = await anvil.deploy("DepositReceiver", [anvilAccount(8).address]);
    const gas = await anvil.publicClient.estimateGas({ account: anvil.wallet(1).account, to: receiver, value: parseEther("0.001") });
    expect(gas - PLAIN_TRANSFER_GAS).toBeLessThan(STIPEND);
  });
});
