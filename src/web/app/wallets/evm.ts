/**
 * EVM browser wallets: discovered with EIP-6963 (https://eips.ethereum.org/EIPS/eip-6963), falling
 * back to the legacy `window.ethereum`; signing and sending go through viem over the wallet's
 * EIP-1193 provider.
 */
import { createWalletClient, custom, erc20Abi, getAddress, type Address, type EIP1193Provider } from "viem";

export interface EvmWallet {
  id: string;
  name: string;
  icon: string | undefined;
  provider: EIP1193Provider;
}

interface AnnounceDetail {
  info: { uuid: string; name: string; icon: string; rdns: string };
  provider: EIP1193Provider;
}

const announced = new Map<string, EvmWallet>();
const listeners = new Set<() => void>();

addEventListener("eip6963:announceProvider", (event) => {
  const detail = (event as CustomEvent<AnnounceDetail>).detail;
  if (!detail?.info?.uuid || !detail.provider) return;
  announced.set(detail.info.uuid, { id: detail.info.uuid, name: detail.info.name, icon: detail.info.icon, provider: detail.provider });
  for (const listener of listeners) listener();
});

/** Asks installed wallets to announce themselves again; `onChange` hears each announcement. */
export function watchEvmWallets(onChange: () => void): () => void {
  listeners.add(onChange);
  dispatchEvent(new Event("eip6963:requestProvider"));
  return () => listeners.delete(onChange);
}

/** The wallets found: every EIP-6963 announcement, else the injected `window.ethereum`. */
export function evmWallets(): EvmWallet[] {
  if (announced.size > 0) return [...announced.values()];
  const legacy = (window as { ethereum?: EIP1193Provider }).ethereum;
  return legacy ? [{ id: "injected", name: "Browser wallet", icon: undefined, provider: legacy }] : [];
}

/** Connects (one approval in the wallet) and returns the selected address. */
export async function connectEvm(wallet: EvmWallet): Promise<Address> {
  const [address] = await wallet.provider.request({ method: "eth_requestAccounts" });
  if (!address) throw new Error(`${wallet.name} shared no account`);
  return getAddress(address);
}

/** personal_sign of `message` by `address`. */
export async function signEvmMessage(wallet: EvmWallet, address: Address, message: string): Promise<string> {
  const client = createWalletClient({ account: address, transport: custom(wallet.provider) });
  return client.signMessage({ account: address, message });
}

/** What a deposit intent asks to be sent. */
export interface EvmPayment {
  chainId: number;
  to: Address;
  /** ERC-20 contract; absent for the chain's native coin. */
  token: Address | null;
  amountBaseUnits: bigint;
}

/** Asks the wallet to switch to the payment's chain and send it; resolves with the transaction hash. */
export async function sendEvmPayment(wallet: EvmWallet, from: Address, payment: EvmPayment): Promise<string> {
  const client = createWalletClient({ account: from, transport: custom(wallet.provider) });
  if ((await client.getChainId()) !== payment.chainId) await client.switchChain({ id: payment.chainId });
  if (payment.token === null) return client.sendTransaction({ account: from, chain: null, to: payment.to, value: payment.amountBaseUnits });
  return client.writeContract({ account: from, chain: null, address: payment.token, abi: erc20Abi, functionName: "transfer", args: [payment.to, payment.amountBaseUnits] });
}
