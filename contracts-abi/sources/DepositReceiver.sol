// SPDX-License-Identifier: MIT
// farebox's optional deposit address for EVM chains: every ETH payment to it, whoever sends it (a plain
// account, a smart wallet, an exchange's batching contract), emits Deposit(from, value), so the listener
// reads ETH from logs exactly like USDC Transfer logs. receive() only logs, so it fits the 2,300-gas
// stipend of Solidity's transfer()/send(). Its owner sweeps ETH and tokens to the operator's wallet.
// Deployed by `npm run treasury:deploy`, swept by `npm run treasury:sweep` (see README).
pragma solidity ^0.8.20;

interface IERC20Transfer {
    function transfer(address to, uint256 value) external returns (bool);
}

contract DepositReceiver {
    /// One ETH payment received: `from` is the immediate sender (the contract, for a contract payment).
    event Deposit(address indexed from, uint256 value);

    address public immutable owner;

    constructor(address initialOwner) {
        require(initialOwner != address(0), "owner");
        owner = initialOwner;
    }

    receive() external payable {
        emit Deposit(msg.sender, msg.value);
    }

    /// Moves the whole ETH balance to `to`; only the owner. Emits no Deposit.
    function sweep(address payable to) external {
        require(msg.sender == owner, "not owner");
        (bool ok, ) = to.call{value: address(this).balance}("");
        require(ok, "sweep failed");
    }

    /// Moves `value` of an ERC-20 token (e.g. USDC paid to this address) to `to`; only the owner.
    function sweepToken(address token, address to, uint256 value) external {
        require(msg.sender == owner, "not owner");
        require(IERC20Transfer(token).transfer(to, value), "token sweep failed");
    }
}
