#!/usr/bin/env node
// Prints the DID that the acceptance suite signs admin requests with. The node under test
// must list it in its daemon config under "http-api"."admin-dids".
//
//   node admin-did.js          -> did:key:z6Mk...
//   node admin-did.js --json   -> {"http-api":{"admin-dids":["did:key:z6Mk..."]}}
import { adminDID } from './lib/identities.js'

const did = await adminDID()
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ 'http-api': { 'admin-dids': [did.id] } }))
} else {
  console.log(did.id)
}
