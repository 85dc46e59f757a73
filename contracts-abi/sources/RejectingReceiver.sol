// SPDX-License-Identifier: MIT
// Test-only contract that refuses every payment, so a transaction to it is mined but reverted.
pragma solidity ^0.8.20;

contract RejectingReceiver {
    receive() external payable {
        revert("rejected");
    }

    fallback() external payable {
        revert("rejected");
    }
}
