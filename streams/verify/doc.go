// Package verify decides whether a signed Ceramic commit may be applied to a
// stream: it checks the JWS signature of the commit's dag-jose envelope and,
// when the commit was signed by a session key, the CACAO capability that
// lets that key act for the stream controller.
//
// The package is pure: it does no network or IPFS access. The caller loads
// the envelope, and the CACAO block if the protected header names one (see
// [CapabilityCID]), and passes them to [Verify] as plain bytes:
//
//	res, err := verify.Verify(verify.Request{
//		JWS:        verify.JWS{Protected: prot, Payload: payloadCID.Bytes(), Signature: sig},
//		CACAO:      cacaoBlock, // nil without "cap"
//		CACAOCID:   cacaoCID,
//		Controller: state.Metadata.Controllers[0],
//		StreamID:   streamID.String(),
//		Model:      modelID, // "" for tiles
//		Now:        time.Now(),
//		AtTime:     anchorTime, // nil until an anchor covers the commit
//	})
//	if errors.Is(err, verify.ErrExpired) { ... }
//
// # Signers
//
// The kid of the protected header names the signing key. Its DID part is
// the signer. Supported signers:
//
//   - did:key Ed25519 (z6Mk…) with alg EdDSA or Ed25519;
//   - did:key secp256k1 (zQ3s…, compressed or uncompressed key) with ES256K
//     (64-byte r||s over SHA-256 of the signing input; a high S is
//     accepted) or ES256K-R (64 or 65 bytes, public key recovery);
//   - did:key P-256 (zDn…) with ES256;
//   - did:pkh:eip155 accounts signing directly with ES256K or ES256K-R
//     (recovery to the account address; rare, but valid on the network).
//
// The signing input is b64url(protected) "." b64url(payload CID bytes).
//
// # Authorisation
//
// A commit is authorised when either
//
//   - the signer is the controller, or
//   - the header names a CACAO whose p.aud is the signer and whose p.iss is
//     the controller. did:pkh:eip155 DIDs are compared without regard to
//     case, so a checksummed and a lower-case address name the same
//     account (the reference node did this for chain 1 only).
//
// Whenever a CACAO is present its p.resources must contain one of
// ceramic://*, ceramic://<StreamID>, ceramic://<StreamID>?payload=<payload
// CID>, or ceramic://*?model=<Model> (the last only when Request.Model is
// set). This check applies even when the controller signed directly; the
// CACAO is otherwise ignored in that case, as on the reference node.
//
// A CACAO used for authorisation must have h.t eip4361 or caip122 and an
// eip191 signature: the wallet's EIP-191 personal signature (the length
// prefix counts UTF-8 bytes) over the Sign-In with Ethereum message rebuilt
// from the CACAO:
//
//	{p.domain} wants you to sign in with your Ethereum account:
//	{address from p.iss}
//
//	{p.statement}            (with the blank line after it, only if present)
//
//	URI: {p.aud}
//	Version: {p.version}
//	Chain ID: {chain reference from p.iss}
//	Nonce: {p.nonce}
//	Issued At: {p.iat}
//	Expiration Time: {p.exp}  (only if present; so are the next two)
//	Not Before: {p.nbf}
//	Request ID: {p.requestId}
//	Resources:               (only with at least one resource)
//	- {p.resources[i]}
//
// The recovered address must be the address in p.iss.
// The message is tried with the address as written in p.iss, in lower case,
// and EIP-55 checksummed (the reference node tried only the first, so it
// rejected sessions whose wallet signed a checksummed address); CACAOs
// issued up to 2022-09-20 are also tried with the legacy layout. Other
// signature types (eip1271, solana:ed25519, tezos:ed25519, stacks:secp256k1,
// webauthn:p256) return [ErrUnsupported].
//
// # Time rules
//
// Verify checks capability times only for a CACAO used for authorisation.
// The check time is Request.AtTime when set, otherwise Request.Now. Times
// are compared in milliseconds:
//
//   - not yet valid ([ErrNotYetValid]) if iat > at + [ClockSkew] or
//     nbf > at + ClockSkew;
//   - expired ([ErrExpired]) if exp + [RevocationPhaseOut] + ClockSkew < at.
//
// Absent fields, and fields that are not ECMAScript date-time strings, never
// fail a check. The stream engine sets AtTime to the timestamp of the first
// anchor after the commit, so an anchored commit stays valid after its
// capability expires, provided it was anchored within the grace period.
//
// The state-level rule is separate and has no grace period: every log entry
// signed under a CACAO with exp records expirationTime =
// [LogExpirationTime](Result.CapabilityExpires), and after every log
// application and load the engine calls [CheckLogExpiry] for each entry,
// which fails when expirationTime < (entry timestamp, or now if the entry is
// not anchored).
//
// # Errors
//
// Every failure is a [*Error] or a [*TimeError] whose text says what is
// wrong in words a commit author can act on, and which matches one of
// [ErrMalformed], [ErrUnsupported], [ErrInvalidSignature],
// [ErrUnauthorized], [ErrExpired] or [ErrNotYetValid] with [errors.Is].
package verify
