// Builds a LevelDB state store the way a js-ceramic 3.4.1 node writes it:
// level-ts 2.1.0 (level 5 / leveldown 5) opened at <root>/<network> and
// <root>/<network>-anchor-requests, values passed through
// StreamUtils.serializeState / serializeCommit from @ceramicnetwork/common 3.4.1.
//
// usage: node make-fixture.mjs <output root>
//
// Every value is derived from fixed labels, so two runs store the same
// key/value pairs (LevelDB's own LOG file and file numbers may differ).
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import levelTs from 'level-ts'
import level from 'level'
import { StreamUtils, AnchorStatus, SignatureStatus, CommitType } from '@ceramicnetwork/common'
import { StreamID } from '@ceramicnetwork/streamid'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import * as dagCbor from '@ipld/dag-cbor'
import * as uint8arrays from 'uint8arrays'

const Level = levelTs.default
const root = process.argv[2]
if (!root) throw new Error('usage: node make-fixture.mjs <output root>')
const network = 'testnet-clay'

// ---- deterministic plausible values -------------------------------------
const bytes = (label, n = 32) => {
  const out = []
  for (let i = 0; out.length < n; i++) out.push(...createHash('sha256').update(`${label}/${i}`).digest())
  return Uint8Array.from(out.slice(0, n))
}
const cidOf = (codec, label) => CID.createV1(codec, Digest.create(0x12, bytes(label)))
const DAG_CBOR = 0x71
const DAG_JOSE = 0x85
const ETH_TX = 0x93
const b64url = (u8) => uint8arrays.toString(u8, 'base64url')
const didKey = 'did:key:z6MkrBdNdwUPnXDVD1DCxedzVVBpaGi8aSmoXFAeKNgtAer8'
const didPkh = 'did:pkh:eip155:1:0x8fe2c4516e920425e177658aaac451ca0463ed69'

function signedGenesis(label, header, data) {
  const linkedBlock = dagCbor.encode({ header, data })
  const link = CID.createV1(DAG_CBOR, Digest.create(0x12, createHash('sha256').update(linkedBlock).digest()))
  const cacao = dagCbor.encode({
    h: { t: 'eip4361' },
    p: { aud: didKey, iss: didPkh, iat: '2023-11-01T10:00:00.000Z', exp: '2023-11-08T10:00:00.000Z', resources: ['ceramic://*'] },
    s: { t: 'eip191', s: b64url(bytes(label + '/cacao-sig', 65)) },
  })
  const cacaoCid = CID.createV1(DAG_CBOR, Digest.create(0x12, createHash('sha256').update(cacao).digest()))
  const protectedHeader = { alg: 'EdDSA', cap: `ipfs://${cacaoCid}`, kid: `${didKey}#${didKey.slice(8)}` }
  return {
    jws: {
      payload: b64url(link.bytes),
      signatures: [
        { protected: b64url(new TextEncoder().encode(JSON.stringify(protectedHeader))), signature: b64url(bytes(label + '/sig', 64)) },
      ],
      link,
    },
    linkedBlock,
    cacaoBlock: cacao,
  }
}

// ---- stream 1: a tile, signed, anchored; content exercises JSON escaping --
const tileGenesis = cidOf(DAG_JOSE, 'tile/genesis')
const tileId = new StreamID(0, tileGenesis)
const tileState = {
  type: 0,
  content: {
    title: 'Café ☕ notes',
    body: 'line one\nline two\t"quoted" \\ back-slash </script> & <b> \u2028 sep',
    emoji: '🚀',
    count: 3,
    ratio: 0.25,
    tags: ['a', 'b'],
    nested: { empty: {}, nothing: null, yes: true },
  },
  metadata: { controllers: [didKey], family: 'notes', schema: 'k3y52l7qbv1frxt706gqfzmq6cbqdkptzk8uudaryhlkf6ly9vx21hqu4r6k1jqio', tags: ['fixture'] },
  signature: SignatureStatus.SIGNED,
  anchorStatus: AnchorStatus.ANCHORED,
  anchorProof: {
    chainId: 'eip155:100',
    txHash: cidOf(ETH_TX, 'tile/tx'),
    root: cidOf(DAG_CBOR, 'tile/root'),
    txType: 'f(bytes32)',
  },
  log: [
    { cid: tileGenesis, type: CommitType.GENESIS, timestamp: 1700000123 },
    { cid: cidOf(DAG_JOSE, 'tile/update'), type: CommitType.SIGNED, timestamp: 1700000123 },
    { cid: cidOf(DAG_CBOR, 'tile/anchor'), type: CommitType.ANCHOR, timestamp: 1700000123 },
  ],
}

// ---- stream 2: a Model, anchored -----------------------------------------
const modelGenesis = cidOf(DAG_JOSE, 'model/genesis')
const modelId = new StreamID(2, modelGenesis)
const modelState = {
  type: 2,
  content: {
    name: 'Post',
    version: '1.0',
    interface: false,
    implements: [],
    description: 'A blog post',
    accountRelation: { type: 'list' },
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { body: { type: 'string', maxLength: 1000 } },
      required: ['body'],
      additionalProperties: false,
    },
    relations: {},
    views: {},
  },
  metadata: { controllers: [didKey], model: StreamID.fromString('kh4q0ozorrgaq2mezktnrmdwleo1d'), unique: bytes('model/unique', 12) },
  signature: SignatureStatus.SIGNED,
  anchorStatus: AnchorStatus.ANCHORED,
  anchorProof: {
    chainId: 'eip155:100',
    txHash: cidOf(ETH_TX, 'model/tx'),
    root: cidOf(DAG_CBOR, 'model/root'),
    txType: 'f(bytes32)',
  },
  log: [
    { cid: modelGenesis, type: CommitType.GENESIS, timestamp: 1700000456 },
    { cid: cidOf(DAG_CBOR, 'model/anchor'), type: CommitType.ANCHOR, timestamp: 1700000456 },
  ],
}

// ---- stream 3: a model instance document (MID), first genesis only, then updated
const midHeader = { controllers: [didPkh], model: modelId.bytes, unique: bytes('mid/unique', 12), sep: 'model' }
const midGenesisCommit = signedGenesis('mid', midHeader, { body: 'hello world' })
const midGenesis = cidOf(DAG_JOSE, 'mid/genesis')
const midId = new StreamID(3, midGenesis)
const midStateV1 = {
  type: 3,
  content: { body: 'hello world' },
  metadata: { controllers: [didPkh], model: modelId, unique: bytes('mid/unique', 12) },
  signature: SignatureStatus.SIGNED,
  anchorStatus: AnchorStatus.PENDING,
  log: [{ cid: midGenesis, type: CommitType.GENESIS, expirationTime: 1699437600 }],
}
const midUpdate = cidOf(DAG_JOSE, 'mid/update')
const midStateV2 = {
  ...midStateV1,
  content: { body: 'hello world' },
  next: { content: { body: 'hello again, wörld' }, metadata: { controllers: [didPkh], model: modelId } },
  log: [...midStateV1.log, { cid: midUpdate, type: CommitType.SIGNED, expirationTime: 1699437600 }],
}

// ---- write, exactly as js-ceramic's LevelDbStore + ObjectStore do ----------
const statesPath = path.join(root, network)
const requestsPath = path.join(root, `${network}-anchor-requests`)
fs.mkdirSync(statesPath, { recursive: true })
fs.mkdirSync(requestsPath, { recursive: true })

const serializeAnchorRequestData = (v) =>
  JSON.stringify({ cid: v.cid.toString(), timestamp: v.timestamp, genesis: StreamUtils.serializeCommit(v.genesis) })

const closeDb = (db) => new Promise((res, rej) => db.DB.close((e) => (e ? rej(e) : res())))

// Session 1: three states; LevelDB keeps them in its log file.
{
  const states = new Level(statesPath)
  await states.put(tileId.toString(), StreamUtils.serializeState(tileState))
  await states.put(modelId.toString(), StreamUtils.serializeState(modelState))
  await states.put(midId.toString(), StreamUtils.serializeState(midStateV1))
  await closeDb(states)
}

// level-ts caches one instance per path, so session 2 wraps a fresh `level`
// instance. Reopening makes LevelDB turn session 1's log into a table file;
// session 2's writes (an overwrite, a put and a delete) stay in the new log,
// as they would after a js-ceramic daemon stops (it never compacts on exit).
const expected = { network, stores: {} }
{
  const states = new Level(level(statesPath))
  await states.put(midId.toString(), StreamUtils.serializeState(midStateV2))
  await states.put('kjzl6cwe1jw14temporary', { deleted: true })
  await states.del('kjzl6cwe1jw14temporary')
  expected.stores[network] = await dump(states)
  await closeDb(states)

  const requests = new Level(level(requestsPath))
  await requests.put(
    midId.toString(),
    serializeAnchorRequestData({ cid: midUpdate, timestamp: 1700000789012, genesis: midGenesisCommit }),
  )
  expected.stores[`${network}-anchor-requests`] = await dump(requests)
  await closeDb(requests)
}

// Raw bytes in LevelDB's own iteration order, read from the open handle so the
// files are left as the writes left them.
function dump(db) {
  const out = []
  return new Promise((res, rej) =>
    db.DB.createReadStream({ keyEncoding: 'binary', valueEncoding: 'binary' })
      .on('data', ({ key, value }) =>
        out.push({
          key: key.toString('utf8'),
          value: value.toString('utf8'),
          sha256: createHash('sha256').update(value).digest('hex'),
        }),
      )
      .on('error', rej)
      .on('end', () => res(out)),
  )
}

// Sanity: what we recorded is what level-ts would return.
for (const e of expected.stores[network]) JSON.parse(e.value)
for (const e of expected.stores[`${network}-anchor-requests`]) JSON.parse(JSON.parse(e.value))
fs.writeFileSync(path.join(root, 'expected.json'), JSON.stringify(expected, null, 2) + '\n')
console.log(JSON.stringify(expected.stores, null, 1).slice(0, 4000))
