// Error classes over raw HTTP. Every error body is {"error": "<message>"}. Requests that are
// wrong (malformed IDs, bad JSON, invalid commits) answer 4xx on our node and unknown streams
// 404; js-ceramic answers 500 to all of them (relaxed under CERAMIC_REFERENCE=js).
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { StreamID } from '@ceramicnetwork/streamid'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { authorDID } from '../lib/identities.js'
import { client, expectError, expectHttpError, http, nonAnchorLog, unique, Status, ON_JS_REFERENCE, NO_ANCHOR } from '../lib/harness.js'

let author, doc

before(async () => {
  author = await authorDID()
  doc = await TileDocument.create(client(author), { errors: 'target' }, null, NO_ANCHOR)
})

const MALFORMED_IDS = [
  'abc', // not base36 multibase
  'kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60', // base36, truncated
  'k2t6wyfsu4pg0', // base36, too short to be anything
]
const MALFORMED_MESSAGE = /multibase|StreamID|StreamRef|invalid/i

test('malformed StreamID in GET /streams/:id is a client error', async (t) => {
  for (const id of MALFORMED_IDS) {
    expectHttpError(t, await http('GET', `/streams/${id}`), { status: Status.CLIENT_ERROR, message: MALFORMED_MESSAGE })
    expectHttpError(t, await http('GET', `/streams/${id}/content`), { status: Status.CLIENT_ERROR, message: MALFORMED_MESSAGE })
  }
})

test('malformed StreamID in GET /commits/:id and POST /commits is a client error', async (t) => {
  for (const id of MALFORMED_IDS) {
    expectHttpError(t, await http('GET', `/commits/${id}`), { status: Status.CLIENT_ERROR, message: MALFORMED_MESSAGE })
  }
  const res = await http('POST', '/commits', { json: { streamId: 'abc', commit: { header: {}, data: [] } } })
  expectHttpError(t, res, { status: Status.CLIENT_ERROR, message: MALFORMED_MESSAGE })
})

test('a CommitID where a StreamID is required is a client error', async (t) => {
  const list = await http('GET', `/commits/${doc.commitId}`)
  expectHttpError(t, list, { status: Status.CLIENT_ERROR, message: /commit/i }) // js: "Invalid StreamID string …: contains commit"
  const apply = await http('POST', '/commits', { json: { streamId: doc.commitId.toString(), commit: { header: {}, data: [] } } })
  expectHttpError(t, apply, { status: Status.CLIENT_ERROR, message: /StreamID/ }) // js: "Not StreamID: …"
})

test('an invalid load option is a client error', async (t) => {
  const res = await http('GET', `/streams/${doc.id}?sync=banana`)
  expectHttpError(t, res, { status: Status.CLIENT_ERROR, message: /sync/i }) // js: 'Unhandled "banana": Invalid sync option'
})

test('bad JSON bodies answer 400', async (t) => {
  for (const path of ['/streams', '/commits', '/multiqueries']) {
    const res = await http('POST', path, { body: '{"type": 0, genesis', headers: { 'Content-Type': 'application/json' } })
    expectHttpError(t, res, { status: 400 })
  }
})

test('missing request fields are client errors', async (t) => {
  expectHttpError(t, await http('POST', '/commits', { json: {} }), {
    status: Status.CLIENT_ERROR,
    message: /streamId and commit are required in order to apply commit/,
  })
  expectHttpError(t, await http('POST', '/commits', { json: { streamId: doc.id.toString() } }), {
    status: Status.CLIENT_ERROR,
    message: /streamId and commit are required in order to apply commit/,
  })
  expectHttpError(t, await http('POST', '/streams', { json: { type: 0 } }), { status: Status.CLIENT_ERROR })
  expectHttpError(t, await http('POST', '/multiqueries', { json: {} }), { status: Status.CLIENT_ERROR })
})

/** createRaw posts a genesis as the http-client would, without waiting on the network. */
function createRaw(body) {
  return http('POST', '/streams', { json: { opts: { anchor: false, publish: false, sync: 0, syncTimeoutSeconds: 0 }, ...body } })
}

test('bad genesis commits are client errors', async (t) => {
  expectHttpError(t, await createRaw({ type: 0, genesis: { data: null } }), { status: Status.CLIENT_ERROR }) // no header
  expectHttpError(t, await createRaw({ type: 99, genesis: { header: { controllers: [author.id], family: 'x' } } }), {
    status: Status.CLIENT_ERROR,
    message: /stream type/i, // js: "99 is not a valid stream type"
  })
  expectHttpError(t, await createRaw({ type: 0, genesis: { header: { controllers: [author.id, author.id], family: 'x' } } }), {
    status: Status.CLIENT_ERROR,
    message: /Exactly one controller must be specified/,
  })
  expectHttpError(t, await createRaw({ type: 0, genesis: { header: { controllers: ['bob'], family: 'x' } } }), {
    status: Status.CLIENT_ERROR,
    message: /invalid DID/i, // js: "Attempting to create a TileDocument with an invalid DID string: bob"
  })
  expectHttpError(t, await createRaw({ type: 0, genesis: { header: { controllers: [author.id], family: unique('x') }, data: { a: 1 } } }), {
    status: Status.CLIENT_ERROR,
    message: /Genesis commit with contents should always be signed/,
  })
})

test('a structurally invalid commit is never applied', async (t) => {
  // js-ceramic answers 200 and ignores it; our node may instead reject it with a 4xx.
  for (const commit of [{ foo: 1 }, { header: {}, data: [{ op: 'replace', path: '/errors', value: 'unsigned' }] }]) {
    const res = await http('POST', '/commits', { json: { streamId: doc.id.toString(), commit, opts: { anchor: false } } })
    if (res.status >= 200 && res.status <= 299) {
      assert.deepEqual(res.body.state.next?.content ?? res.body.state.content, { errors: 'target' })
    } else {
      t.diagnostic(`rejected with ${res.status}: ${res.text.slice(0, 200)}`)
      expectHttpError(t, res, { status: Status.CLIENT_ERROR })
    }
  }
  const after = await client().loadStream(doc.id)
  assert.deepEqual(after.content, { errors: 'target' })
  assert.equal(nonAnchorLog(after.state).length, 1)
})

const UNKNOWN_SKIP = ON_JS_REFERENCE
  ? 'js-ceramic waits out its IPFS timeouts (about 3 minutes here) and then answers 500'
  : false

test('an unknown stream is 404 within the sync timeout (skipped on js-ceramic: ~3 min, then 500)', { skip: UNKNOWN_SKIP, timeout: 60_000 }, async (t) => {
  const digest = await sha256.digest(new TextEncoder().encode(unique('absent genesis')))
  const absent = new StreamID('tile', CID.createV1(dagCbor.code, digest))

  let started = Date.now()
  await expectError(t, () => client().loadStream(absent, { syncTimeoutSeconds: 2 }), { status: 404 })
  const elapsed = Date.now() - started
  assert.ok(elapsed < 12_000, `took ${elapsed} ms`)

  started = Date.now()
  expectHttpError(t, await http('GET', `/streams/${absent}?syncTimeoutSeconds=2`), { status: 404 })
  expectHttpError(t, await http('GET', `/commits/${absent}`), { status: 404 })
  assert.ok(Date.now() - started < 30_000)
})
