// HTTP framing a browser or a probe relies on: healthcheck, CORS with credentials, URL forms.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { authorDID } from '../lib/identities.js'
import { client, http, NO_ANCHOR } from '../lib/harness.js'

let doc

before(async () => {
  doc = await TileDocument.create(client(await authorDID()), { http: true }, null, NO_ANCHOR)
})

test('healthcheck answers 200 Alive!', async () => {
  const res = await http('GET', '/node/healthcheck')
  assert.equal(res.status, 200)
  assert.equal(res.text, 'Alive!')
})

test('CORS: preflight is 204 and responses reflect the Origin with credentials', async () => {
  const origin = 'http://app.example'
  const pre = await http('OPTIONS', '/streams', {
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  })
  assert.equal(pre.status, 204)
  assert.equal(pre.headers.get('access-control-allow-origin'), origin)
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true')
  assert.match(pre.headers.get('access-control-allow-methods'), /POST/)
  assert.match(pre.headers.get('access-control-allow-headers'), /content-type/i)

  const get = await http('GET', `/streams/${doc.id}`, { headers: { Origin: origin } })
  assert.equal(get.status, 200)
  assert.equal(get.headers.get('access-control-allow-origin'), origin)
  assert.equal(get.headers.get('access-control-allow-credentials'), 'true')
})

test('a ceramic:// StreamID URL is accepted in the path', async () => {
  const res = await http('GET', `/streams/${encodeURIComponent(`ceramic://${doc.id}`)}`)
  assert.equal(res.status, 200)
  assert.equal(res.body.streamId, doc.id.toString())
})

test('an unknown route is 404', async () => {
  const res = await http('GET', '/no/such/route')
  assert.equal(res.status, 404)
})
