/**
 * EIP-681 payment request URIs (https://eips.ethereum.org/EIPS/eip-681) for deposit intents, so a wallet
 * scanning a QR code pre-fills the exact amount, asset, chain and treasury.
 */

/** Native transfer: `ethereum:<treasury>@<chainId>?value=<wei>`. */
export function nativePaymentUri(treasury: string, chainId: number, amountBaseUnits: bigint): string {
  return `ethereum:${treasury}@${chainId}?value=${amountBaseUnits.toString()}`;
}

/** ERC-20 transfer: `ethereum:<token>@<chainId>/transfer?address=<treasury>&uint256=<amount>`. */
export function tokenPaymentUri(token: string, chainId: number, treasury: string, amountBaseUnits: bigint): string {
  return `ethereum:${token}@${chainId}/transfer?address=${treasury}&uint256=${amountBaseUnits.toString()}`;
}
