/**
 * Typed ABIs for the contracts the EVM scanner reads. They mirror contracts-abi/erc20.json and
 * contracts-abi/aggregator-v3.json (a test asserts equality) so viem can infer argument and return types.
 */
import { parseAbi, parseAbiItem } from "viem";

/** EIP-20 subset: the Transfer event plus the reads and the transfer the code and tests need. */
export const erc20Abi = parseAbi([
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  "function balanceOf(address owner) view returns (uint256)",
  "function transfer(address to, uint256 value) returns (bool)",
]);

/** The ERC-20 Transfer event alone, for getLogs filters. */
export const transferEvent = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

/** Chainlink AggregatorV3Interface subset used for price reads. */
export const aggregatorV3Abi = parseAbi([
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
  "function decimals() view returns (uint8)",
  "function description() view returns (string)",
]);

/** farebox's deposit receiver (contracts-abi/deposit-receiver.json, source in contracts-abi/sources/DepositReceiver.sol). */
export const depositReceiverAbi = parseAbi([
  "constructor(address initialOwner)",
  "event Deposit(address indexed from, uint256 value)",
  "function owner() view returns (address)",
  "function sweep(address to)",
  "function sweepToken(address token, address to, uint256 value)",
]);

/** The receiver's Deposit event alone, for getLogs filters. */
export const depositEvent = parseAbiItem("event Deposit(address indexed from, uint256 value)");
