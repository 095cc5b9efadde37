// Size limits: 256 000 bytes per IPFS block written by a commit, 1 MB per request body.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { authorDID } from '../lib/identities.js'
import { client, expectError, expectHttpError, http, Status, NO_ANCHOR } from '../lib/harness.js'

let author

before(async () => {
  author = await authorDID()
})

test('a genesis just under the block size limit is accepted', async () => {
  const content = { blob: 'a'.repeat(250_000) }
  const doc = await TileDocument.create(client(author), content, null, NO_ANCHOR)
  const again = await client().loadStream(doc.id)
  assert.equal(again.content.blob.length, 250_000)
})

test('a genesis over 256000 bytes is rejected', async (t) => {
  await expectError(t, () => TileDocument.create(client(author), { blob: 'b'.repeat(260_000) }, null, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /commit size \d+ exceeds the maximum block size of 256000/,
  })
})

test('an update over 256000 bytes is rejected and the stream is unchanged', async (t) => {
  const doc = await TileDocument.create(client(author), { small: true }, null, NO_ANCHOR)
  await expectError(t, () => doc.update({ small: false, blob: 'c'.repeat(260_000) }, null, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /exceeds the maximum block size of 256000/,
  })
  const again = await client().loadStream(doc.id)
  assert.deepEqual(again.content, { small: true })
})

test('a request body over 1 MB is refused with 413', async (t) => {
  const res = await http('POST', '/streams', { json: { type: 0, genesis: { header: { controllers: [author.id] } }, padding: 'p'.repeat(1_100_000) } })
  expectHttpError(t, res, { status: 413, message: /request entity too large/ })
})
