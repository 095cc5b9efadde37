// Anchoring as the official client sees it. By default against a node on the `inmemory`
// network, whose in-memory anchor service answers at once; with CERAMIC_ANCHOR_CHAIN set
// (e.g. eip155:1337) against a node that anchors on that EVM chain, where an anchor takes a
// batch interval and a few blocks.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { AnchorStatus, CommitType } from '@ceramicnetwork/common'
import { authorDID } from '../lib/identities.js'
import { client, eventually, NO_ANCHOR } from '../lib/harness.js'

let author
const CHAIN = process.env.CERAMIC_ANCHOR_CHAIN || 'inmemory:12345'

before(async () => {
  author = await authorDID()
})

/** anchored loads the stream until its state is ANCHORED and returns it. */
function anchored(id) {
  return eventually(
    async () => {
      const s = await client().loadStream(id)
      return s.state.anchorStatus === AnchorStatus.ANCHORED ? s : null
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${id} to be anchored` },
  )
}

test('getSupportedChains lists the chain the node anchors on', async () => {
  assert.deepEqual(await client().getSupportedChains(), [CHAIN])
})

test('requestAnchor anchors an unanchored stream', async () => {
  const c = client(author)
  const doc = await TileDocument.create(c, { anchor: 'me' }, null, NO_ANCHOR)
  assert.equal(doc.state.anchorStatus, AnchorStatus.NOT_REQUESTED)

  const status = await c.requestAnchor(doc.id)
  assert.equal(typeof status, 'number', 'requestAnchor returns the numeric AnchorStatus')
  assert.ok(
    [AnchorStatus.PENDING, AnchorStatus.PROCESSING, AnchorStatus.ANCHORED].includes(status),
    `unexpected anchor status ${status} (${AnchorStatus[status]})`,
  )

  const done = await anchored(doc.id)
  assert.deepEqual(done.content, { anchor: 'me' })
  assert.deepEqual(done.state.log.map((e) => e.type), [CommitType.GENESIS, CommitType.ANCHOR])
  const proof = done.state.anchorProof
  assert.equal(proof.chainId, CHAIN)
  assert.equal(proof.txType, 'f(bytes32)')
  const ts = done.state.log[1].timestamp
  assert.equal(typeof ts, 'number')
  assert.equal(done.state.log[0].timestamp, ts, 'the anchor timestamp covers the anchored commits')
  assert.ok(Math.abs(ts - Date.now() / 1000) < 3600, `anchor timestamp ${ts} is in seconds, near now`)
  assert.equal(done.anchorCommitIds.length, 1)

  const commits = await client().loadStreamCommits(doc.id)
  assert.equal(commits.length, 2)
  const anchor = commits[1].value
  assert.equal(anchor.prev.toString(), doc.id.cid.toString())
  assert.equal(anchor.id.toString(), doc.id.cid.toString())
  assert.ok(anchor.proof, 'an anchor commit links its proof')
  assert.equal(typeof anchor.path, 'string')
  if (anchor.path === '') {
    // No Merkle path: the proof's root is the anchored tip itself (js-ceramic's in-memory service).
    assert.equal(proof.root.toString(), doc.id.cid.toString())
  }

  // Asking again for an anchored stream changes nothing.
  assert.equal(await c.requestAnchor(doc.id), AnchorStatus.ANCHORED)

  // Writing on top of the anchor works; the update is pending until anchored again.
  const writer = await TileDocument.load(c, doc.id)
  await writer.update({ anchor: 'me', again: true }, null, NO_ANCHOR)
  assert.equal(writer.state.anchorStatus, AnchorStatus.NOT_REQUESTED)
  assert.deepEqual(writer.state.content, { anchor: 'me' }, 'state.content is the anchored content')
  assert.deepEqual(writer.state.next.content, { anchor: 'me', again: true })
  assert.deepEqual(writer.content, { anchor: 'me', again: true })
})

test('a create with default options is anchored without further requests', async () => {
  const doc = await TileDocument.create(client(author), { anchor: 'default' })
  assert.ok(
    [AnchorStatus.PENDING, AnchorStatus.PROCESSING, AnchorStatus.ANCHORED].includes(doc.state.anchorStatus),
    `anchor status after create: ${AnchorStatus[doc.state.anchorStatus]}`,
  )
  const done = await anchored(doc.id)
  assert.deepEqual(done.content, { anchor: 'default' })
  assert.equal(done.state.log.at(-1).type, CommitType.ANCHOR)
  assert.equal(done.state.next, undefined, 'nothing left pending once anchored')
})
