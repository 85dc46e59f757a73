/**
 * Operator command (`npm run treasury:sweep -- --chain <id> [--to <address>]`): moves everything the
 * chain's DepositReceiver treasury holds (ETH and the configured tokens) to `--to` (default: the
 * owner's own address), signed with FAREBOX_OPERATOR_KEY, which must be the receiver's owner.
 */
import { getAddress, isAddress, type Address } from "viem";
import { sweepDepositReceiver } from "../chains/evm/deposit-receiver.js";
import { operatorChain, runOperatorCommand, UsageError } from "./operator-chain.js";

await runOperatorCommand(async () => {
  const { config, client, wallet, options } = operatorChain(process.argv.slice(2), ["to"]);
  if (!config.treasury_receiver) throw new UsageError(`chain ${config.chain_id}'s treasury is not a deposit receiver (treasury_receiver: true); nothing to sweep`);
  if (options.to !== undefined && !isAddress(options.to, { strict: false })) throw new UsageError("--to must be a 0x-prefixed 20-byte address");
  const to = getAddress(options.to ?? wallet.account.address);
  const tokens = config.assets.filter((a) => a.address).map((a) => ({ symbol: a.symbol, address: getAddress(a.address as Address) }));
  const swept = await sweepDepositReceiver(wallet, client, getAddress(config.treasury), to, tokens);
  for (const s of swept) process.stdout.write(`swept ${s.amountBaseUnits} base units of ${s.asset} to ${to} (transaction ${s.txHash})\n`);
  process.stdout.write(swept.length === 0 ? "nothing to sweep: the receiver holds no ETH or configured token\n" : `done: ${swept.length} transfers\n`);
});
