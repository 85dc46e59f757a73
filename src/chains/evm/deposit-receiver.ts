/**
 * Deploying and sweeping farebox's DepositReceiver (contracts-abi/sources/DepositReceiver.sol) with the
 * shipped bytecode (contracts-abi/deposit-receiver.json), so no compiler is needed at run time.
 */
import { getAddress, type Account, type Address, type Chain, type Hash, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import receiverArtifact from "../../../contracts-abi/deposit-receiver.json" with { type: "json" };
import { depositReceiverAbi, erc20Abi } from "./abis.js";

type OperatorWallet = WalletClient<Transport, Chain | undefined, Account>;

/** Deploys a receiver owned by `owner`; resolves once mined, with its address. */
export async function deployDepositReceiver(wallet: OperatorWallet, client: PublicClient, owner: Address): Promise<{ address: Address; txHash: Hash }> {
  const txHash = await wallet.deployContract({ abi: depositReceiverAbi, bytecode: receiverArtifact.bytecode as Hex, args: [owner], chain: wallet.chain ?? null });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`deployment transaction ${txHash} failed`);
  return { address: getAddress(receipt.contractAddress), txHash };
}

/** One sweep transfer made. */
export interface SweptAsset {
  asset: string;
  amountBaseUnits: bigint;
  txHash: Hash;
}

/**
 * Moves the receiver's whole ETH balance and each token's balance to `to`. The wallet must be the
 * receiver's owner (checked first, so a wrong key spends no gas). Outgoing, so nothing is credited.
 */
export async function sweepDepositReceiver(
  wallet: OperatorWallet,
  client: PublicClient,
  receiver: Address,
  to: Address,
  tokens: readonly { symbol: string; address: Address }[],
): Promise<SweptAsset[]> {
  const owner = await client.readContract({ address: receiver, abi: depositReceiverAbi, functionName: "owner" });
  if (getAddress(owner) !== getAddress(wallet.account.address)) {
    throw new Error(`the operator key's address ${wallet.account.address} is not the receiver's owner ${owner}`);
  }
  const swept: SweptAsset[] = [];
  const send = async (asset: string, amountBaseUnits: bigint, txHash: Hash) => {
    const receipt = await client.waitForTransactionReceipt({ hash: txHash });
    if (receipt.status !== "success") throw new Error(`sweep of ${asset} (${txHash}) failed`);
    swept.push({ asset, amountBaseUnits, txHash });
  };
  const chain = wallet.chain ?? null;
  for (const token of tokens) {
    const balance = await client.readContract({ address: token.address, abi: erc20Abi, functionName: "balanceOf", args: [receiver] });
    if (balance === 0n) continue;
    await send(token.symbol, balance, await wallet.writeContract({ address: receiver, abi: depositReceiverAbi, functionName: "sweepToken", args: [token.address, to, balance], chain }));
  }
  const balance = await client.getBalance({ address: receiver });
  if (balance > 0n) await send("ETH", balance, await wallet.writeContract({ address: receiver, abi: depositReceiverAbi, functionName: "sweep", args: [to], chain }));
  return swept;
}
