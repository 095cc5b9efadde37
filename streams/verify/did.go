package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"regexp"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-varint"
)

// didURL matches a DID URL: did:<method>:<method-specific-id> followed by
// optional ;params, /path, ?query and #fragment. Group 1 is the method and
// group 2 the method-specific id.
var didURL = regexp.MustCompile(`^did:([a-z0-9]+):((?:(?:[a-zA-Z0-9._-]|%[0-9a-fA-F]{2})*:)*(?:[a-zA-Z0-9._-]|%[0-9a-fA-F]{2})+)` +
	`(?:;[a-zA-Z0-9_.:%-]+=[a-zA-Z0-9_.:%-]*)*(?:/[^#?]*)?(?:\?[^#]*)?(?:#[^\n\r\x{2028}\x{2029}]*)?$`)

// parsedDID is the DID part of a DID URL.
type parsedDID struct {
	DID    string // did:<method>:<id>
	Method string
	ID     string
}

// parseDIDURL extracts the DID from a DID URL such as a JWS kid.
func parseDIDURL(s string) (parsedDID, bool) {
	m := didURL.FindStringSubmatch(s)
	if m == nil {
		return parsedDID{}, false
	}
	return parsedDID{DID: "did:" + m[1] + ":" + m[2], Method: m[1], ID: m[2]}, true
}

// didMethod returns the method of a DID string, or "" if s is not a DID.
func didMethod(s string) string {
	rest, ok := strings.CutPrefix(s, "did:")
	if !ok {
		return ""
	}
	m, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return m
}

// Multicodec codes of the did:key public key types.
const (
	codecSecp256k1 = 0xe7
	codecEd25519   = 0xed
	codecP256      = 0x1200
	codecP384      = 0x1201
	codecP521      = 0x1202
)

type keyKind int

const (
	kindEd25519 keyKind = iota + 1
	kindSecp256k1
	kindP256
	kindEthereum // a did:pkh:eip155 account: only an address, keys are recovered
)

// signerKey is the verification method of a resolved signer DID.
type signerKey struct {
	did       string
	kind      keyKind
	ed25519   ed25519.PublicKey
	secp256k1 *secp256k1.PublicKey
	p256      *ecdsa.PublicKey
	address   string // kindEthereum: lower-case 0x-prefixed hex address
}

// resolveSigner turns the DID of a JWS kid into its verification key.
func resolveSigner(d parsedDID) (signerKey, error) {
	switch d.Method {
	case "key":
		return resolveKey(d)
	case "pkh":
		acct, ok := parseAccountID(d.ID)
		if !ok {
			return signerKey{}, malformed("signer %s is not a valid did:pkh (want did:pkh:<namespace>:<chain>:<address>)", d.DID)
		}
		if acct.namespace != "eip155" {
			return signerKey{}, unsupported("did:pkh accounts of namespace %q cannot sign commits directly on this node", acct.namespace)
		}
		return signerKey{did: d.DID, kind: kindEthereum, address: strings.ToLower(acct.address)}, nil
	default:
		return signerKey{}, unsupported("DID method did:%s is not supported (signer %s); use did:key or did:pkh", d.Method, d.DID)
	}
}

func resolveKey(d parsedDID) (signerKey, error) {
	if !strings.HasPrefix(d.ID, "z") {
		return signerKey{}, malformed("signer %s is not a valid did:key: the key must be base58btc (start with z)", d.DID)
	}
	_, raw, err := multibase.Decode(d.ID)
	if err != nil {
		return signerKey{}, &Error{Kind: ErrMalformed, Reason: "signer " + d.DID + " is not a valid did:key", Err: err}
	}
	code, n, err := varint.FromUvarint(raw)
	if err != nil {
		return signerKey{}, &Error{Kind: ErrMalformed, Reason: "signer " + d.DID + " is not a valid did:key", Err: err}
	}
	key := raw[n:]
	sk := signerKey{did: d.DID}
	switch code {
	case codecEd25519:
		if len(key) != ed25519.PublicKeySize {
			return signerKey{}, malformed("signer %s is not a valid did:key: an Ed25519 key has 32 bytes, not %d", d.DID, len(key))
		}
		sk.kind, sk.ed25519 = kindEd25519, ed25519.PublicKey(key)
	case codecSecp256k1:
		ok := (len(key) == 33 && (key[0] == 2 || key[0] == 3)) || (len(key) == 65 && key[0] == 4)
		var pub *secp256k1.PublicKey
		if ok {
			pub, err = secp256k1.ParsePubKey(key)
		}
		if !ok || err != nil {
			return signerKey{}, malformed("signer %s is not a valid did:key: not a secp256k1 public key", d.DID)
		}
		sk.kind, sk.secp256k1 = kindSecp256k1, pub
	case codecP256:
		pub := parseP256(key)
		if pub == nil {
			return signerKey{}, malformed("signer %s is not a valid did:key: not a P-256 public key", d.DID)
		}
		sk.kind, sk.p256 = kindP256, pub
	case codecP384, codecP521:
		return signerKey{}, unsupported("did:key P-384 and P-521 keys cannot sign commits (signer %s)", d.DID)
	default:
		return signerKey{}, unsupported("did:key key type 0x%x is not supported (signer %s); use Ed25519 or secp256k1", code, d.DID)
	}
	return sk, nil
}

// parseP256 reads a compressed (33 bytes), uncompressed (65 bytes) or raw
// x||y (64 bytes) P-256 point.
func parseP256(b []byte) *ecdsa.PublicKey {
	curve := elliptic.P256()
	switch {
	case len(b) == 33 && (b[0] == 2 || b[0] == 3):
		x, y := elliptic.UnmarshalCompressed(curve, b)
		if x == nil {
			return nil
		}
		return &ecdsa.PublicKey{Curve: curve, X: x, Y: y}
	case len(b) == 64:
		b = append([]byte{4}, b...)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, b)
	if err != nil {
		return nil
	}
	return pub
}

// accountID is a CAIP-10 account: <namespace>:<reference>:<address>.
type accountID struct {
	namespace, reference, address string
}

// parseAccountID splits a CAIP-10 account id into its three parts.
func parseAccountID(s string) (accountID, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return accountID{}, false
	}
	return accountID{namespace: parts[0], reference: parts[1], address: parts[2]}, true
}

// issuerMatches reports whether a capability issuer stands for the stream
// controller: the same string, or, for Ethereum accounts, the same DID when
// compared without regard to case (checksummed and lower-case addresses
// name the same account).
func issuerMatches(controller, issuer string) bool {
	if controller == issuer {
		return true
	}
	return strings.HasPrefix(strings.ToLower(controller), "did:pkh:eip155:") && strings.EqualFold(controller, issuer)
}
