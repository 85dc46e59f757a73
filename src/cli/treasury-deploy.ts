/**
 * Operator command (`npm run treasury:deploy -- --chain <id> [--owner <address>]`): deploys a
 * DepositReceiver on a configured chain with FAREBOX_OPERATOR_KEY and prints the address to set as
 * that chain's treasury. The owner (default: the key's address) is who may sweep it.
 */
import { getAddress, isAddress } from "viem";
import { deployDepositReceiver } from "../chains/evm/deposit-receiver.js";
import { operatorChain, runOperatorCommand, UsageError } from "./operator-chain.js";

await runOperatorCommand(async () => {
  const { config, client, wallet, options } = operatorChain(process.argv.slice(2), ["owner"]);
  if (options.owner !== undefined && !isAddress(options.owner, { strict: false })) throw new UsageError("--owner must be a 0x-prefixed 20-byte address");
  const owner = getAddress(options.owner ?? wallet.account.address);
  const { address, txHash } = await deployDepositReceiver(wallet, client, owner);
  process.stdout.write(
    [
      `deposit receiver deployed on eip155:${config.chain_id} at ${address} (owner ${owner}, transaction ${txHash})`,
      `set in the config under chains.evm for chain_id ${config.chain_id}:`,
      `  treasury: "${address}"`,
      `  treasury_receiver: true`,
      "",
    ].join("\n"),
  );
});
