// SPDX-License-Identifier: MIT
// Test-only Chainlink AggregatorV3Interface with a settable answer and update time (8 decimals, like USD feeds).
pragma solidity ^0.8.20;

contract MockAggregator {
    uint8 public constant decimals = 8;
    string public constant description = "ETH / USD";
    uint256 public constant version = 4;
    uint80 private round;
    int256 private answer;
    uint256 private updatedAt;

    function setRound(int256 newAnswer, uint256 newUpdatedAt) external {
        round += 1;
        answer = newAnswer;
        updatedAt = newUpdatedAt;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (round, answer, updatedAt, updatedAt, round);
    }
}
