// SPDX-License-Identifier: MIT
// Test-only stand-in for an exchange's withdrawal contract: pays several recipients in one transaction
// through inner calls, where a payout may be undone (its frame reverts after paying, the batch goes on),
// and pays with Solidity's transfer(), which forwards only the 2,300-gas stipend.
pragma solidity ^0.8.20;

contract PayoutBatcher {
    /// Pays amounts[i] to `to` for each i; the payout at `undone` (if in range) is paid then reverted.
    function payouts(address payable to, uint256[] calldata amounts, uint256 undone) external payable {
        for (uint256 i = 0; i < amounts.length; i++) {
            if (i == undone) {
                try this.payThenRevert{value: amounts[i]}(to) {} catch {}
            } else {
                (bool ok, ) = to.call{value: amounts[i]}("");
                require(ok, "payout failed");
            }
        }
    }

    function payThenRevert(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "payout failed");
        revert("payout undone");
    }

    /// Pays with transfer(): reverts if the recipient needs more than the 2,300-gas stipend.
    function payWithTransfer(address payable to) external payable {
        to.transfer(msg.value);
    }
}
