// did:pkh streams written through a did-session: a session key (did:key) signs commits and
// carries a CACAO in which an Ethereum account (EIP-191 signature of a SIWE message) grants
// it access to Ceramic resources.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { DIDSession } from 'did-session'
import { EthereumNodeAuth, getAccountId } from '@didtools/pkh-ethereum'
import { Cacao, SiweMessage } from '@didtools/cacao'
import { LocalWallet } from '../lib/wallet.js'
import { client, expectError, nonAnchorLog, Status, NO_ANCHOR, ON_JS_REFERENCE } from '../lib/harness.js'

const APP = 'goceramic-acceptance'
let wallet

before(() => {
  wallet = new LocalWallet('goceramic-acceptance/eth-wallet-v1')
})

/** officialSession authorizes a session the way an application does, with @didtools/pkh-ethereum. */
async function officialSession(resources = ['ceramic://*']) {
  const provider = wallet.provider()
  const accountId = await getAccountId(provider, wallet.address)
  const authMethod = await EthereumNodeAuth.getAuthMethod(provider, accountId, APP)
  return DIDSession.authorize(authMethod, { resources })
}

/**
 * handmadeSession authorizes a session whose SIWE message spells the address as `signedAs`
 * and whose CACAO issuer spells it as `issuerAs` (normally the same).
 */
async function handmadeSession({ chainId = '1', signedAs, issuerAs = signedAs, resources = ['ceramic://*'] }) {
  const authMethod = async (opts) => {
    const now = new Date()
    const message = new SiweMessage({
      domain: APP,
      address: signedAs,
      statement: 'Give this application access to some of your data on Ceramic',
      uri: opts.uri,
      version: '1',
      nonce: randomBytes(8).toString('hex'),
      issuedAt: now.toISOString(),
      expirationTime: new Date(now.getTime() + 60 * 60 * 1000).toISOString(),
      chainId,
      resources: opts.resources,
    })
    message.signature = wallet.signMessage(message.signMessage())
    const cacao = Cacao.fromSiweMessage(message)
    cacao.p.iss = `did:pkh:eip155:${chainId}:${issuerAs}`
    return cacao
  }
  return DIDSession.authorize(authMethod, { resources })
}

test('did:pkh session (EIP-191 / SIWE CACAO) creates and updates a tile', async () => {
  const session = await officialSession()
  const controller = `did:pkh:eip155:1:${wallet.address}`
  assert.equal(session.id, controller)
  assert.match(session.did.id, /^did:key:/, 'commits are signed by the session key')

  const doc = await TileDocument.create(client(session.did), { by: 'pkh' }, { tags: ['pkh'] }, NO_ANCHOR)
  assert.deepEqual(doc.metadata.controllers, [controller])
  await doc.update({ by: 'pkh', updated: true }, null, NO_ANCHOR)

  const again = await client().loadStream(doc.id)
  assert.deepEqual(again.content, { by: 'pkh', updated: true })
  assert.deepEqual(again.metadata.controllers, [controller])
  const log = nonAnchorLog(again.state)
  assert.equal(log.length, 2)
  const exp = Math.floor(new Date(session.cacao.p.exp).getTime() / 1000)
  for (const entry of log) {
    assert.equal(entry.expirationTime, exp, 'each CACAO-signed commit records the capability expiry')
  }

  const commits = await client().loadStreamCommits(doc.id)
  assert.equal(commits.length, 2)
  for (const commit of commits) assert.ok(commit.value.jws, 'CACAO commits are signed commits')
})

test('did:pkh: a second session of the same account can update the stream', async () => {
  const doc = await TileDocument.create(client((await officialSession()).did), { session: 1 }, null, NO_ANCHOR)
  const later = await officialSession()
  const asLater = await TileDocument.load(client(later.did), doc.id)
  await asLater.update({ session: 2 }, null, NO_ANCHOR)
  assert.deepEqual((await client().loadStream(doc.id)).content, { session: 2 })
})

test('did:pkh: an EIP-55 checksummed address, spelled the same in the SIWE message and the CACAO, is accepted', async () => {
  for (const chainId of ['1', '100']) {
    const session = await handmadeSession({ chainId, signedAs: wallet.checksumAddress })
    const doc = await TileDocument.create(client(session.did), { checksummed: chainId }, null, NO_ANCHOR)
    await doc.update({ checksummed: chainId, updated: true }, null, NO_ANCHOR)
    const again = await client().loadStream(doc.id)
    assert.deepEqual(again.content, { checksummed: chainId, updated: true })
    // dids lower-cases a did:pkh:eip155:1: parent; other chains keep the CACAO's spelling.
    const expected = chainId === '1' ? wallet.address : wallet.checksumAddress
    assert.deepEqual(again.metadata.controllers, [`did:pkh:eip155:${chainId}:${expected}`])
  }
})

// js-ceramic 3.4.1 rebuilds the SIWE message with the issuer's exact spelling of the
// address, so a wallet that signed the EIP-55 form under a lowercase issuer (or the other way
// round) is rejected. Both spellings name the same account and the signature recovers to it,
// so our node accepts them; the reference keeps its rejection.
test('did:pkh: a CACAO whose issuer spells the address differently from the signed SIWE message', async (t) => {
  const cases = [
    { signedAs: wallet.checksumAddress, issuerAs: wallet.address },
    { signedAs: wallet.address, issuerAs: wallet.checksumAddress },
  ]
  for (const c of cases) {
    const session = await handmadeSession(c)
    if (ON_JS_REFERENCE) {
      await expectError(t, () => TileDocument.create(client(session.did), { mismatch: true }, null, NO_ANCHOR), {
        status: Status.CLIENT_ERROR,
        message: /Signature does not belong to iss/,
      })
      continue
    }
    const doc = await TileDocument.create(client(session.did), { mismatch: true }, null, NO_ANCHOR)
    assert.deepEqual((await client().loadStream(doc.id)).content, { mismatch: true })
  }
})

test('did:pkh: a CACAO limited to another stream cannot update this one', async (t) => {
  const owner = await officialSession()
  const doc = await TileDocument.create(client(owner.did), { scoped: 'original' }, null, NO_ANCHOR)
  const elsewhere = await TileDocument.create(client(owner.did), { scoped: 'elsewhere' }, null, NO_ANCHOR)

  const scoped = await officialSession([`ceramic://${elsewhere.id}`])
  const asScoped = await TileDocument.load(client(scoped.did), doc.id)
  await expectError(t, () => asScoped.update({ scoped: 'changed' }, null, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Capability does not have appropriate permissions to update this Stream/,
  })
  assert.deepEqual((await client().loadStream(doc.id)).content, { scoped: 'original' })

  // The same scoped session may write the stream it names.
  const allowed = await TileDocument.load(client(scoped.did), elsewhere.id)
  await allowed.update({ scoped: 'elsewhere, updated' }, null, NO_ANCHOR)
  assert.deepEqual((await client().loadStream(elsewhere.id)).content, { scoped: 'elsewhere, updated' })
})
