// ceramic.multiQuery: several streams and the streams their content links to, in one request.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { StreamID } from '@ceramicnetwork/streamid'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { authorDID } from '../lib/identities.js'
import { client, unique, NO_ANCHOR } from '../lib/harness.js'

let author

before(async () => {
  author = await authorDID()
})

/** absentStreamID is a well-formed tile StreamID whose genesis exists nowhere. */
async function absentStreamID() {
  const digest = await sha256.digest(new TextEncoder().encode(unique('no such genesis')))
  return new StreamID('tile', CID.createV1(dagCbor.code, digest))
}

test('multiQuery follows paths to linked streams and omits a stream that cannot be loaded', async () => {
  // Each path segment is one hop: "link/next" loads root.content.link, then that stream's
  // content.next. A StreamID inside a nested object is not a hop.
  const c = client(author)
  const leafB = await TileDocument.create(c, { leaf: 'b' }, null, NO_ANCHOR)
  const leafA = await TileDocument.create(c, { leaf: 'a', next: leafB.id.toString() }, null, NO_ANCHOR)
  await leafA.update({ leaf: 'a', next: leafB.id.toString(), version: 2 }, null, NO_ANCHOR)
  const leafC = await TileDocument.create(c, { leaf: 'c' }, null, NO_ANCHOR)
  const notFollowed = await TileDocument.create(c, { leaf: 'nested' }, null, NO_ANCHOR)
  const root = await TileDocument.create(
    c,
    {
      link: leafA.id.toString(),
      url: `ceramic://${leafC.id}`,
      nested: { deeper: notFollowed.id.toString() },
      notALink: 'just text',
    },
    null,
    NO_ANCHOR,
  )
  const missing = await absentStreamID()
  const oldA = leafA.allCommitIds[0]

  const result = await client().multiQuery(
    [
      { streamId: root.id, paths: ['/link/next', 'url', 'nested/deeper', 'notALink', 'absentKey'] },
      { streamId: missing },
      { streamId: oldA },
    ],
    2000,
  )

  const expectedKeys = [root.id, leafA.id, leafB.id, leafC.id, oldA].map(String).sort()
  assert.deepEqual(Object.keys(result).sort(), expectedKeys)
  assert.equal(result[missing.toString()], undefined, 'the missing stream is left out')
  assert.equal(result[notFollowed.id.toString()], undefined, 'a StreamID in a nested object is not a hop')
  assert.equal(result[root.id.toString()].content.notALink, 'just text')
  assert.deepEqual(result[leafA.id.toString()].content, { leaf: 'a', next: leafB.id.toString(), version: 2 })
  assert.deepEqual(result[leafB.id.toString()].content, { leaf: 'b' })
  assert.deepEqual(result[leafC.id.toString()].content, { leaf: 'c' })
  assert.deepEqual(result[oldA.toString()].content, { leaf: 'a', next: leafB.id.toString() }, 'a CommitID query returns that version')
  assert.ok(result[root.id.toString()] instanceof TileDocument)
})

test('multiQuery with a genesis creates a deterministic stream that does not exist yet', async () => {
  const header = { controllers: [author.id], family: 'goceramic-acceptance', tags: [unique('mq-genesis')] }
  const genesis = { header }
  const cid = CID.createV1(dagCbor.code, await sha256.digest(dagCbor.encode(genesis)))
  const id = new StreamID('tile', cid)

  const result = await client().multiQuery([{ streamId: id, genesis, opts: { syncTimeoutSeconds: 0 } }], 5000)
  assert.deepEqual(Object.keys(result), [id.toString()])
  assert.deepEqual(result[id.toString()].content, {})
  assert.deepEqual(result[id.toString()].metadata.tags, header.tags)

  const loaded = await client().loadStream(id)
  assert.deepEqual(loaded.metadata.controllers, [author.id])
})

test('multiQuery with an empty list returns an empty object', async () => {
  assert.deepEqual(await client().multiQuery([]), {})
})
