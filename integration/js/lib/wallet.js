// A minimal in-process Ethereum wallet exposed as an EIP-1193 provider: enough for
// @didtools/pkh-ethereum to obtain an EIP-191 (personal_sign) signature of a SIWE message.
// Keys never leave the process and no network is involved.
import { secp256k1 } from '@noble/curves/secp256k1'
import { keccak_256 } from '@noble/hashes/sha3'
import { bytesToHex, hexToBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils'
import { seedFrom } from './identities.js'

/** toChecksumAddress returns the EIP-55 mixed-case form of a 0x-prefixed address. */
export function toChecksumAddress(address) {
  const lower = address.toLowerCase().replace(/^0x/, '')
  const hash = bytesToHex(keccak_256(utf8ToBytes(lower)))
  let out = '0x'
  for (let i = 0; i < lower.length; i++) {
    out += parseInt(hash[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i]
  }
  return out
}

/** eip191Digest is keccak256("\x19Ethereum Signed Message:\n" + len(message) + message). */
export function eip191Digest(messageBytes) {
  const prefix = utf8ToBytes(`\x19Ethereum Signed Message:\n${messageBytes.length}`)
  return keccak_256(concatBytes(prefix, messageBytes))
}

/** LocalWallet is one secp256k1 account with a deterministic key derived from a label. */
export class LocalWallet {
  constructor(label, chainId = 1) {
    this.privateKey = seedFrom(label)
    const pub = secp256k1.getPublicKey(this.privateKey, false) // 65 bytes, 0x04 || X || Y
    /** lower-case 0x address */
    this.address = '0x' + bytesToHex(keccak_256(pub.slice(1)).slice(-20))
    this.chainId = chainId
  }

  /** checksumAddress is the EIP-55 form of the address. */
  get checksumAddress() {
    return toChecksumAddress(this.address)
  }

  /** signMessage signs a UTF-8 string or bytes the way personal_sign does; returns 0x r||s||v (v = 27/28). */
  signMessage(message) {
    const bytes = typeof message === 'string' ? utf8ToBytes(message) : message
    const sig = secp256k1.sign(eip191Digest(bytes), this.privateKey)
    return '0x' + bytesToHex(sig.toCompactRawBytes()) + (27 + sig.recovery).toString(16)
  }

  /** provider returns an EIP-1193 provider backed by this wallet. */
  provider() {
    return {
      request: async ({ method, params = [] }) => {
        switch (method) {
          case 'eth_chainId':
            return '0x' + this.chainId.toString(16)
          case 'eth_accounts':
          case 'eth_requestAccounts':
            return [this.address]
          case 'personal_sign': {
            const [data, account] = params
            if (account.toLowerCase() !== this.address) throw new Error(`unknown account ${account}`)
            const bytes = /^0x[0-9a-fA-F]*$/.test(data) ? hexToBytes(data.slice(2)) : utf8ToBytes(data)
            return this.signMessage(bytes)
          }
          default:
            throw Object.assign(new Error(`method ${method} not supported`), { code: 4200 })
        }
      },
    }
  }
}
