// Who may write: controller checks, controller changes, forbidControllerChange, and commits
// that must not be applied (bad signature, stale tip, commit of another stream).
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { authorDID, otherDID, thirdDID } from '../lib/identities.js'
import { client, expectError, capture, nonAnchorLog, Status, NO_ANCHOR } from '../lib/harness.js'

let author, other, third

before(async () => {
  ;[author, other, third] = await Promise.all([authorDID(), otherDID(), thirdDID()])
})

test('an update signed by a DID that is not the controller is rejected', async (t) => {
  const doc = await TileDocument.create(client(author), { owner: 'author' }, null, NO_ANCHOR)
  const intruder = await TileDocument.load(client(other), doc.id)

  await expectError(t, () => intruder.update({ owner: 'other' }, null, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Can not verify signature for commit .* to stream .* which has controller DID did:key:/,
  })

  const after = await client().loadStream(doc.id)
  assert.deepEqual(after.content, { owner: 'author' })
  assert.equal(nonAnchorLog(after.state).length, 1)
})

test('a genesis naming a controller other than its signer is rejected', async (t) => {
  await expectError(t, () => TileDocument.create(client(other), { claim: 'forged' }, { controllers: [author.id] }, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Can not verify signature/,
  })
})

test('controller change via a metadata update hands the stream over', async () => {
  const doc = await TileDocument.create(client(author), { step: 'created' }, null, NO_ANCHOR)
  await doc.update(null, { controllers: [third.id] }, NO_ANCHOR)
  assert.deepEqual(doc.metadata.controllers, [third.id])
  assert.deepEqual(doc.content, { step: 'created' })

  // The new controller can write...
  const asThird = await TileDocument.load(client(third), doc.id)
  assert.deepEqual(asThird.controllers, [third.id])
  await asThird.update({ step: 'written by the new controller' }, null, NO_ANCHOR)

  const after = await client().loadStream(doc.id)
  assert.deepEqual(after.content, { step: 'written by the new controller' })
  assert.deepEqual(after.metadata.controllers, [third.id])
  assert.equal(nonAnchorLog(after.state).length, 3)
})

test('after a controller change the old controller can no longer write', async (t) => {
  const c = client(author)
  const doc = await TileDocument.create(c, { v: 1 }, null, NO_ANCHOR)
  await doc.update(null, { controllers: [third.id] }, NO_ANCHOR)

  await expectError(t, () => doc.update({ v: 2 }, null, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Can not verify signature/,
  })
  const after = await client().loadStream(doc.id)
  assert.deepEqual(after.content, { v: 1 })
})

test('forbidControllerChange: a controller change is rejected, content updates still work', async (t) => {
  const doc = await TileDocument.create(client(author), { v: 1 }, { forbidControllerChange: true }, NO_ANCHOR)
  assert.equal(doc.metadata.forbidControllerChange, true)

  await expectError(t, () => doc.update(null, { controllers: [third.id] }, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Cannot change controllers since 'forbidControllerChange' is set/,
  })

  await doc.sync()
  await doc.update({ v: 2 }, null, NO_ANCHOR)
  const after = await client().loadStream(doc.id)
  assert.deepEqual(after.content, { v: 2 })
  assert.deepEqual(after.metadata.controllers, [author.id])
  assert.equal(after.metadata.forbidControllerChange, true)
})

test('a commit with a tampered signature is rejected', async (t) => {
  const c = client(author)
  const doc = await TileDocument.create(c, { v: 1 }, null, NO_ANCHOR)
  const commit = await doc.makeCommit(c, { v: 'tampered' })
  const sig = commit.jws.signatures[0].signature
  commit.jws.signatures[0].signature = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)

  await expectError(t, () => c.applyCommit(doc.id, commit, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /signature/i,
  })
  const after = await client().loadStream(doc.id)
  assert.deepEqual(after.content, { v: 1 })
})

test('a commit built on a stale tip is rejected', async (t) => {
  const c = client(author)
  const doc = await TileDocument.create(c, { v: 0 }, null, NO_ANCHOR)
  const first = await doc.makeCommit(c, { v: 1 })
  const conflicting = await doc.makeCommit(c, { v: 'conflict' }) // same prev as `first`

  await c.applyCommit(doc.id, first, NO_ANCHOR)
  await expectError(t, () => c.applyCommit(doc.id, conflicting, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /rejected because it builds on stale state/,
  })
  const after = await client().loadStream(doc.id)
  assert.deepEqual(after.content, { v: 1 })
})

test('a commit of one stream applied to another stream never changes it', async (t) => {
  // js-ceramic answers 200 and leaves the target untouched; rejecting with a 4xx is fine too.
  const c = client(author)
  const a = await TileDocument.create(c, { name: 'a' }, null, NO_ANCHOR)
  const b = await TileDocument.create(c, { name: 'b' }, null, NO_ANCHOR)
  const commitForA = await a.makeCommit(c, { name: 'a2' })

  const { error, responses } = await capture(() => c.applyCommit(b.id, commitForA, NO_ANCHOR))
  if (error) {
    t.diagnostic(`rejected: ${error.message.slice(0, 200)}`)
    assert.ok(responses.at(-1).status >= 400 && responses.at(-1).status <= 499, `expected a 4xx, got ${responses.at(-1).status}`)
  }
  const bAfter = await client().loadStream(b.id)
  assert.deepEqual(bAfter.content, { name: 'b' })
  assert.equal(nonAnchorLog(bAfter.state).length, 1)
  const aAfter = await client().loadStream(a.id)
  assert.deepEqual(aAfter.content, { name: 'a' }, 'the commit was not applied to its own stream either')
})
