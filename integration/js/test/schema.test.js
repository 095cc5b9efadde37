// JSON-Schema validation of TileDocuments whose metadata names a schema (a CommitID of a
// schema tile).
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { TileDocument } from '@ceramicnetwork/stream-tile'
import { authorDID } from '../lib/identities.js'
import { client, expectError, Status, NO_ANCHOR } from '../lib/harness.js'

let author, schema

const PERSON = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Person',
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 50 },
    age: { type: 'integer', minimum: 0 },
  },
  required: ['name'],
  additionalProperties: false,
}

before(async () => {
  author = await authorDID()
  schema = await TileDocument.create(client(author), PERSON, { tags: ['schema'] }, NO_ANCHOR)
})

test('a schema tile loads back with its content', async () => {
  const loaded = await client().loadStream(schema.commitId)
  assert.deepEqual(loaded.content, PERSON)
})

test('a document with a schema accepts valid content and valid updates', async () => {
  const doc = await TileDocument.create(client(author), { name: 'Ada', age: 36 }, { schema: schema.commitId }, NO_ANCHOR)
  assert.equal(doc.metadata.schema, schema.commitId.toString())
  await doc.update({ name: 'Ada Lovelace', age: 37 }, null, NO_ANCHOR)

  const again = await client().loadStream(doc.id)
  assert.deepEqual(again.content, { name: 'Ada Lovelace', age: 37 })
  assert.equal(again.metadata.schema, schema.commitId.toString())
})

test('an update that violates the schema is rejected and the stream keeps its content', async (t) => {
  const doc = await TileDocument.create(client(author), { name: 'Grace' }, { schema: schema.commitId }, NO_ANCHOR)
  await expectError(t, () => doc.update({ name: 'Grace', age: 'eighty' }, null, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Validation Error.*age/, // js-ceramic: "Validation Error: data/age must be integer"
  })
  await expectError(t, () => doc.update({ name: 'Grace', extra: true }, null, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Validation Error/, // js-ceramic: "Validation Error: data must NOT have additional properties"
  })
  const again = await client().loadStream(doc.id)
  assert.deepEqual(again.content, { name: 'Grace' })
})

test('a genesis that violates its schema is rejected', async (t) => {
  await expectError(t, () => TileDocument.create(client(author), { age: 3 }, { schema: schema.commitId }, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Validation Error.*name/, // js-ceramic: "Validation Error: data must have required property 'name'"
  })
})

test('setting a schema on an existing document validates its current content', async (t) => {
  const doc = await TileDocument.create(client(author), { name: 'Alan', nickname: 'T' }, null, NO_ANCHOR)
  await expectError(t, () => doc.update(null, { schema: schema.commitId }, NO_ANCHOR), {
    status: Status.CLIENT_ERROR,
    message: /Validation Error/,
  })
  await doc.sync()
  await doc.update({ name: 'Alan' }, { schema: schema.commitId }, NO_ANCHOR)
  const again = await client().loadStream(doc.id)
  assert.equal(again.metadata.schema, schema.commitId.toString())
  assert.deepEqual(again.content, { name: 'Alan' })
})
