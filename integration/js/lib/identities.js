// Fixed identities used by the suite. Every key is derived from a constant label, so the
// DIDs are the same on every run and on every machine; a node's daemon config can name the
// admin DID in advance (see admin-did.js).
import { createHash } from 'node:crypto'
import { DID } from 'dids'
import { Ed25519Provider } from 'key-did-provider-ed25519'
import KeyDidResolver from 'key-did-resolver'

/** The label whose SHA-256 is the admin key seed. Changing it changes the admin DID. */
export const ADMIN_SEED_LABEL = 'goceramic-acceptance/admin-v1'

/** seedFrom returns the 32-byte seed for a label. */
export function seedFrom(label) {
  return new Uint8Array(createHash('sha256').update(label).digest())
}

/** keyDID returns an authenticated did:key (Ed25519) DID for a label. */
export async function keyDID(label) {
  const did = new DID({
    provider: new Ed25519Provider(seedFrom(label)),
    resolver: KeyDidResolver.getResolver(),
  })
  await did.authenticate()
  return did
}

/** adminDID is the DID the daemon must list in http-api.admin-dids. */
export function adminDID() {
  return keyDID(ADMIN_SEED_LABEL)
}

/** authorDID is the usual stream controller. */
export function authorDID() {
  return keyDID('goceramic-acceptance/author-v1')
}

/** otherDID is a second, unrelated identity: never a controller unless a test makes it one, never an admin. */
export function otherDID() {
  return keyDID('goceramic-acceptance/other-v1')
}

/** thirdDID is used as the new controller in controller-change tests. */
export function thirdDID() {
  return keyDID('goceramic-acceptance/third-v1')
}
