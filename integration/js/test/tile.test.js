// TileDocument life cycle through the http-client: create, read back, deterministic
// genesis, updates, commit listing and historical versions.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { AnchorStatus, CommitType, SignatureStatus, SyncOptions } from '@ceramicnetwork/common'
import { CommitID, StreamID } from '@ceramicnetwork/streamid'
import { authorDID } from '../lib/identities.js'
import { client, http, nonAnchorLog, unique, NO_ANCHOR } from '../lib/harness.js'

let author

before(async () => {
  author = await authorDID()
})

/** logCIDs returns the log's CIDs as strings. */
function logCIDs(state) {
  return state.log.map((entry) => entry.cid.toString())
}

test('signed TileDocument with content, family and tags reads back identically from a second client', async () => {
  const family = unique('family')
  const content = { title: 'hello', n: 1, nested: { list: [1, 'two', { three: 3 }], empty: {} }, flag: false, nothing: null }
  const doc = await TileDocument.create(client(author), content, { family, tags: ['alpha', 'beta'] }, NO_ANCHOR)

  assert.ok(doc.id instanceof StreamID)
  assert.equal(doc.id.type, 0)
  assert.equal(doc.id.typeName, 'tile')
  assert.deepEqual(doc.content, content)
  assert.deepEqual(doc.metadata.controllers, [author.id])
  assert.equal(doc.metadata.family, family)
  assert.deepEqual(doc.metadata.tags, ['alpha', 'beta'])
  assert.equal(typeof doc.metadata.unique, 'string', 'a non-deterministic genesis carries a random unique')
  assert.equal(doc.state.signature, SignatureStatus.SIGNED)
  assert.equal(doc.state.anchorStatus, AnchorStatus.NOT_REQUESTED)
  assert.equal(doc.state.log.length, 1)
  assert.equal(doc.state.log[0].type, CommitType.GENESIS)
  assert.equal(doc.state.log[0].cid.toString(), doc.id.cid.toString())
  assert.equal(doc.state.next, undefined)

  // A second client shares nothing with the first: everything comes from the node.
  const again = await client().loadStream(doc.id)
  assert.equal(again.id.toString(), doc.id.toString())
  assert.deepEqual(again.content, content)
  assert.deepEqual(again.metadata, doc.metadata)
  assert.deepEqual(logCIDs(again.state), logCIDs(doc.state))
  assert.equal(again.state.signature, SignatureStatus.SIGNED)

  // The same with a forced network sync (sync=1) and a short sync timeout in the query string.
  const synced = await TileDocument.load(client(), doc.id.toString(), { sync: SyncOptions.SYNC_ALWAYS, syncTimeoutSeconds: 1 })
  assert.deepEqual(synced.content, content)
  assert.deepEqual(logCIDs(synced.state), logCIDs(doc.state))
})

test('stream state wire format: GET /streams/:id and /streams/:id/content', async () => {
  const content = { wire: unique('wire') }
  const doc = await TileDocument.create(client(author), content, { tags: ['wire'] }, NO_ANCHOR)

  const res = await http('GET', `/streams/${doc.id}`)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /^application\/json/)
  assert.equal(res.body.streamId, doc.id.toString())
  const state = res.body.state
  assert.equal(state.type, 0)
  assert.equal(state.doctype, 'tile')
  assert.deepEqual(state.content, content)
  assert.equal(state.signature, 2, 'signature stays numeric')
  assert.equal(state.anchorStatus, 'NOT_REQUESTED', 'anchorStatus is serialized as its name')
  assert.deepEqual(state.metadata.controllers, [author.id])
  assert.deepEqual(state.metadata.tags, ['wire'])
  assert.equal(state.log.length, 1)
  assert.equal(state.log[0].cid, doc.id.cid.toString(), 'log CIDs are strings')
  assert.equal(state.log[0].type, 0)

  const raw = await http('GET', `/streams/${doc.id}/content`)
  assert.equal(raw.status, 200)
  assert.deepEqual(raw.body, content)
})

test('genesis without content: unsigned genesis, then a signed first update', async () => {
  const family = unique('empty')
  const c = client(author)
  const doc = await TileDocument.create(c, null, { family }, NO_ANCHOR)

  assert.equal(doc.state.signature, SignatureStatus.GENESIS, 'no content means an unsigned genesis')
  assert.deepEqual(doc.content, {})
  assert.deepEqual(doc.metadata.controllers, [author.id])
  assert.equal(doc.metadata.family, family)
  assert.equal(typeof doc.metadata.unique, 'string')

  const commits = await c.loadStreamCommits(doc.id)
  assert.equal(commits.length, 1)
  assert.equal(commits[0].cid.toString(), doc.id.cid.toString())
  assert.deepEqual(commits[0].value.header.controllers, [author.id], 'an unsigned genesis is listed as the plain commit')

  await doc.update({ filled: true }, null, NO_ANCHOR)
  assert.deepEqual(doc.content, { filled: true })
  assert.equal(doc.state.signature, SignatureStatus.SIGNED)

  const again = await client().loadStream(doc.id)
  assert.deepEqual(again.content, { filled: true })
  assert.deepEqual(nonAnchorLog(again.state).map((e) => e.type), [CommitType.GENESIS, CommitType.SIGNED])
})

test('TileDocument.deterministic returns the same StreamID twice and the stream loads', async () => {
  const metadata = { controllers: [author.id], family: 'goceramic-acceptance', tags: ['deterministic-v1'] }
  const opts = { ...NO_ANCHOR, syncTimeoutSeconds: 0 }
  const first = await TileDocument.deterministic(client(author), metadata, opts)
  const second = await TileDocument.deterministic(client(), metadata, opts)

  assert.equal(second.id.toString(), first.id.toString())
  assert.equal(first.state.signature, SignatureStatus.GENESIS)
  assert.deepEqual(first.content, {})
  assert.equal(first.metadata.unique, undefined, 'a deterministic genesis has no unique')

  const loaded = await client().loadStream(first.id)
  assert.equal(loaded.id.toString(), first.id.toString())
  assert.deepEqual(loaded.content, {})
  assert.deepEqual(loaded.metadata.controllers, [author.id])
  assert.equal(loaded.metadata.family, 'goceramic-acceptance')
  assert.deepEqual(loaded.metadata.tags, ['deterministic-v1'])
})

test('deterministic genesis hashes to the known StreamID (canonical dag-cbor)', async () => {
  // Independently computed vector: {header: {controllers: [...], family: "IDX"}} encoded as
  // dag-cbor, sha2-256, StreamID type 0.
  const metadata = { controllers: ['did:key:z6MkgSV3tAuw7gUWqKCUY7ae6uWNxqYgdwPhUJbJhF9EFXm9'], family: 'IDX' }
  const doc = await TileDocument.deterministic(client(), metadata, { ...NO_ANCHOR, syncTimeoutSeconds: 0 })
  assert.equal(doc.id.toString(), 'k2t6wyfsu4pg2k0wt68h3lacqbyu3kxg16qkqwqlrhxnm5arpt35by7ol2lwzp')
  assert.equal(doc.state.log[0].cid.toString(), 'bafyreihlpicajpwxvn2r5uorvurqw4tknorugmbjo625a22rjb7r4lmqiu')
})

test('sequential updates (content, JSON patch, metadata) and reload', async () => {
  const c = client(author)
  const doc = await TileDocument.create(c, { n: 0, items: [] }, { tags: ['seq'] }, NO_ANCHOR)

  for (let n = 1; n <= 4; n++) {
    const next = { n, items: Array.from({ length: n }, (_, i) => `item-${i}`) }
    await doc.update(next, null, NO_ANCHOR)
    assert.deepEqual(doc.content, next)
  }
  // A hand-made JSON-patch commit (TileDocument.patch in stream-tile 3.4.1 refuses streams
  // whose metadata has `unique`, so the commit is built here the same way update() does).
  const patch = await author.createDagJWS({
    header: {},
    data: [{ op: 'add', path: '/patched', value: { ok: true } }, { op: 'remove', path: '/items/0' }],
    prev: doc.tip,
    id: doc.id.cid,
  })
  const patched = await c.applyCommit(doc.id, patch, NO_ANCHOR)
  await doc.sync()
  assert.deepEqual(doc.content, patched.content)
  const expected = { n: 4, items: ['item-1', 'item-2', 'item-3'], patched: { ok: true } }
  assert.deepEqual(doc.content, expected)

  // Metadata-only update: content stays, tags change.
  await doc.update(null, { tags: ['seq', 'retagged'] }, NO_ANCHOR)
  assert.deepEqual(doc.content, expected)
  assert.deepEqual(doc.metadata.tags, ['seq', 'retagged'])

  const types = nonAnchorLog(doc.state).map((e) => e.type)
  assert.deepEqual(types, [CommitType.GENESIS, ...Array(6).fill(CommitType.SIGNED)])
  assert.equal(doc.tip.toString(), doc.state.log.at(-1).cid.toString())

  const again = await client().loadStream(doc.id)
  assert.deepEqual(again.content, expected)
  assert.deepEqual(again.metadata.tags, ['seq', 'retagged'])
  assert.deepEqual(logCIDs(again.state), logCIDs(doc.state))

  // sync() on the writer's handle finds nothing new.
  await doc.sync()
  assert.deepEqual(doc.content, expected)
})

test('loadStreamCommits and allCommitIds list the log in order', async () => {
  const c = client(author)
  const doc = await TileDocument.create(c, { step: 0 }, null, NO_ANCHOR)
  await doc.update({ step: 1 }, null, NO_ANCHOR)
  await doc.update({ step: 2 }, null, NO_ANCHOR)

  const commits = await client().loadStreamCommits(doc.id)
  assert.equal(commits.length, 3)
  assert.deepEqual(commits.map((x) => x.cid.toString()), logCIDs(doc.state))
  for (const commit of commits) {
    // Signed commits come back as {jws, linkedBlock}; the payload block is the bytes at jws.link.
    assert.ok(commit.value.jws, 'signed commit has jws')
    assert.ok(commit.value.jws.link, 'jws has link')
    assert.ok(commit.value.linkedBlock instanceof Uint8Array && commit.value.linkedBlock.length > 0)
    assert.equal(commit.value.jws.signatures.length, 1)
  }

  const ids = doc.allCommitIds
  assert.equal(ids.length, 3)
  ids.forEach((id, i) => {
    assert.ok(id instanceof CommitID)
    assert.equal(id.baseID.toString(), doc.id.toString())
    assert.equal(id.commit.toString(), commits[i].cid.toString())
  })
  assert.equal(doc.commitId.toString(), ids[2].toString())
  assert.deepEqual(doc.anchorCommitIds, [])
})

test('older versions load by CommitID, including the genesis CommitID', async () => {
  const c = client(author)
  const doc = await TileDocument.create(c, { v: 0 }, { tags: ['v0'] }, NO_ANCHOR)
  await doc.update({ v: 1 }, null, NO_ANCHOR)
  await doc.update({ v: 2 }, { tags: ['v2'] }, NO_ANCHOR)
  const ids = doc.allCommitIds
  assert.equal(ids.length, 3)

  const genesisId = CommitID.make(doc.id, doc.id.cid)
  assert.equal(genesisId.toString(), ids[0].toString(), 'the genesis CommitID has one canonical form')

  const reader = client()
  for (let v = 0; v < 3; v++) {
    const old = await reader.loadStream(ids[v])
    assert.deepEqual(old.content, { v }, `content at commit ${v}`)
    assert.equal(old.state.log.length, v + 1)
    assert.equal(old.id.toString(), doc.id.toString())
    assert.equal(old.commitId.toString(), ids[v].toString())
  }
  const oldMeta = await TileDocument.load(reader, ids[0])
  assert.deepEqual(oldMeta.metadata.tags, ['v0'])

  // Over the wire the response names the base StreamID.
  const res = await http('GET', `/streams/${ids[1]}`)
  assert.equal(res.status, 200)
  assert.equal(res.body.streamId, doc.id.toString())
  // Unanchored changes sit in state.next; state.content is the genesis (last anchored) content.
  const wire = res.body.state
  assert.deepEqual(wire.next?.content ?? wire.content, { v: 1 })
  assert.equal(wire.log.length, 2)

  // And the current version is unaffected.
  const now = await reader.loadStream(doc.id)
  assert.deepEqual(now.content, { v: 2 })
})
