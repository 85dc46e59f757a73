// SPDX-License-Identifier: MIT
// Test-only smart-contract wallet implementing ERC-1271 (https://eips.ethereum.org/EIPS/eip-1271):
// a signature is valid when it is its owner's ECDSA signature of the hash. Its owner makes it call
// anything (execute), as a smart wallet's user does; it accepts ETH.
pragma solidity ^0.8.20;

contract OwnedWallet {
    address public immutable owner;

    constructor(address initialOwner) {
        owner = initialOwner;
    }

    receive() external payable {}

    function execute(address to, uint256 value, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "not owner");
        (bool ok, bytes memory result) = to.call{value: value}(data);
        require(ok, "call failed");
        return result;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(hash, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

// Test-only factory deploying OwnedWallet at a CREATE2 address known before deployment, as ERC-4337
// account factories do; an ERC-6492 signature names it so a verifier can simulate the deployment.
contract OwnedWalletFactory {
    function deploy(address owner, bytes32 salt) external returns (address) {
        address expected = addressOf(owner, salt);
        if (expected.code.length > 0) return expected;
        return address(new OwnedWallet{salt: salt}(owner));
    }

    function addressOf(address owner, bytes32 salt) public view returns (address) {
        bytes32 codeHash = keccak256(abi.encodePacked(type(OwnedWallet).creationCode, abi.encode(owner)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, codeHash)))));
    }
}
