package verify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/ipfs/go-cid"
	"github.com/ipld/go-ipld-prime/codec/dagcbor"
	"github.com/ipld/go-ipld-prime/datamodel"
	"github.com/ipld/go-ipld-prime/fluent/qp"
	"github.com/ipld/go-ipld-prime/node/basicnode"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
	"github.com/multiformats/go-varint"
	"golang.org/x/crypto/sha3"
)

// Stream and model IDs used by the generated test commits. Their exact
// values do not matter to the verifier; they only need to be StreamID-like.
const (
	testStreamID  = "kjzl6kcym7w8y8fn6y54ys70b3199rzcvycug2qf2rvmwntlnoysenmzv4ntnke"
	otherStreamID = "kjzl6kcym7w8yaehqlnrbdo37oboz0xnvo2ntr0otnxas2vfwc62jj1wdgh0et6"
	testModel     = "kjzl6hvfrbw6c90uwoyz8j519gxma787qbsfjtrarkr1huq1g1s224k7hopvsyg"
)

// seed derives deterministic key material from a name.
func seed(name string) []byte {
	s := sha256.Sum256([]byte("goceramic verify test key " + name))
	return s[:]
}

func didKey(codec uint64, pub []byte) string {
	s, err := multibase.Encode(multibase.Base58BTC, append(varint.ToUvarint(codec), pub...))
	if err != nil {
		panic(err)
	}
	return "did:key:" + s
}

// kidOf returns the conventional kid of a did:key: did#fingerprint.
func kidOf(did string) string { return did + "#" + strings.TrimPrefix(did, "did:key:") }

// payloadCID returns a dag-cbor CID for arbitrary content.
func payloadCID(t testing.TB, content string) cid.Cid {
	t.Helper()
	c, err := cid.Prefix{Version: 1, Codec: cid.DagCBOR, MhType: multihash.SHA2_256, MhLength: -1}.Sum([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signer makes JWS signatures with one key.
type signer struct {
	did  string
	sign func(alg string, input []byte) []byte
}

func ed25519Signer(name string) signer {
	priv := ed25519.NewKeyFromSeed(seed(name))
	did := didKey(0xed, priv.Public().(ed25519.PublicKey))
	return signer{did: did, sign: func(_ string, input []byte) []byte { return ed25519.Sign(priv, input) }}
}

func secpKey(name string) *secp256k1.PrivateKey { return secp256k1.PrivKeyFromBytes(seed(name)) }

// secp256k1Signer signs ES256K (r||s over SHA-256) and ES256K-R (r||s||rec).
func secp256k1Signer(name string, uncompressedDID bool) signer {
	priv := secpKey(name)
	pub := priv.PubKey().SerializeCompressed()
	if uncompressedDID {
		pub = priv.PubKey().SerializeUncompressed()
	}
	return signer{did: didKey(0xe7, pub), sign: func(alg string, input []byte) []byte { return signSecp(priv, alg, input) }}
}

func signSecp(priv *secp256k1.PrivateKey, alg string, input []byte) []byte {
	h := sha256.Sum256(input)
	c := secpecdsa.SignCompact(priv, h[:], false) // [27+rec] r s
	if alg == algES256KR {
		return append(append([]byte{}, c[1:]...), c[0]-27)
	}
	return append([]byte{}, c[1:]...)
}

func hexString(b []byte) string { return hex.EncodeToString(b) }

// makeJWS signs payload under a protected header given as JSON text.
func makeJWS(s signer, protected string, payload cid.Cid, alg string) JWS {
	j := JWS{Protected: []byte(protected), Payload: payload.Bytes()}
	j.Signature = s.sign(alg, signingInputForTest(j))
	return j
}

// signingInputForTest is written out independently of signingInput.
func signingInputForTest(j JWS) []byte {
	return []byte(base64.RawURLEncoding.EncodeToString(j.Protected) + "." + base64.RawURLEncoding.EncodeToString(j.Payload))
}

func hdr(alg, kid, capValue string) string {
	if capValue == "" {
		return fmt.Sprintf(`{"alg":%q,"kid":%q}`, alg, kid)
	}
	return fmt.Sprintf(`{"alg":%q,"cap":%q,"kid":%q}`, alg, capValue, kid)
}

// wallet is an Ethereum account that signs like a browser wallet.
type wallet struct {
	priv *secp256k1.PrivateKey
	addr string // lower case
}

func newWallet(name string) wallet {
	priv := secpKey("wallet " + name)
	h := sha3.NewLegacyKeccak256()
	h.Write(priv.PubKey().SerializeUncompressed()[1:])
	return wallet{priv: priv, addr: "0x" + hex.EncodeToString(h.Sum(nil)[12:])}
}

// personalSign returns the 0x-prefixed r||s||v (v = 27 or 28) EIP-191
// signature of msg.
func (w wallet) personalSign(msg string) string {
	h := sha3.NewLegacyKeccak256()
	fmt.Fprintf(h, "\x19Ethereum Signed Message:\n%d%s", len(msg), msg)
	c := secpecdsa.SignCompact(w.priv, h.Sum(nil), false)
	sig := append(append([]byte{}, c[1:]...), c[0])
	return "0x" + hex.EncodeToString(sig)
}

// testCACAO holds the fields of a CACAO to build. Empty strings and a nil
// Resources are left out of the block.
type testCACAO struct {
	HeaderType string
	Domain     string
	Iss        string
	Aud        string
	Version    string
	Nonce      string
	Iat        string
	Nbf        string
	Exp        string
	Statement  string
	RequestID  string
	Resources  []string
	SigType    string
	Sig        string
	NoSig      bool
}

// siweText writes the SIWE message for c, independently of siweMessage.
func (c testCACAO) siweText(address, chain string, legacy bool) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s wants you to sign in with your Ethereum account:\n%s\n\n", c.Domain, address)
	if c.Statement != "" {
		fmt.Fprintf(&b, "%s\n\n", c.Statement)
	}
	fmt.Fprintf(&b, "URI: %s\nVersion: %s\n", c.Aud, c.Version)
	if !legacy {
		fmt.Fprintf(&b, "Chain ID: %s\n", chain)
	}
	fmt.Fprintf(&b, "Nonce: %s\nIssued At: %s", c.Nonce, c.Iat)
	if c.Exp != "" {
		fmt.Fprintf(&b, "\nExpiration Time: %s", c.Exp)
	}
	if c.Nbf != "" {
		fmt.Fprintf(&b, "\nNot Before: %s", c.Nbf)
	}
	if c.RequestID != "" {
		fmt.Fprintf(&b, "\nRequest ID: %s", c.RequestID)
	}
	if legacy {
		fmt.Fprintf(&b, "\nChain ID: %s", chain)
	}
	if len(c.Resources) > 0 || (legacy && c.Resources != nil) {
		b.WriteString("\nResources:")
		for _, r := range c.Resources {
			fmt.Fprintf(&b, "\n- %s", r)
		}
	}
	return b.String()
}

// encode builds the dag-cbor block and its CID.
func (c testCACAO) encode(t testing.TB) ([]byte, cid.Cid) {
	t.Helper()
	p := map[string]string{
		"domain": c.Domain, "iss": c.Iss, "aud": c.Aud, "version": c.Version, "nonce": c.Nonce,
		"iat": c.Iat, "nbf": c.Nbf, "exp": c.Exp, "statement": c.Statement, "requestId": c.RequestID,
	}
	var keys []string
	for k, v := range p {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	n, err := qp.BuildMap(basicnode.Prototype.Any, -1, func(ma datamodel.MapAssembler) {
		qp.MapEntry(ma, "h", qp.Map(1, func(ma datamodel.MapAssembler) {
			qp.MapEntry(ma, "t", qp.String(c.HeaderType))
		}))
		qp.MapEntry(ma, "p", qp.Map(-1, func(ma datamodel.MapAssembler) {
			for _, k := range keys {
				qp.MapEntry(ma, k, qp.String(p[k]))
			}
			if c.Resources != nil {
				qp.MapEntry(ma, "resources", qp.List(int64(len(c.Resources)), func(la datamodel.ListAssembler) {
					for _, r := range c.Resources {
						qp.ListEntry(la, qp.String(r))
					}
				}))
			}
		}))
		if !c.NoSig {
			qp.MapEntry(ma, "s", qp.Map(2, func(ma datamodel.MapAssembler) {
				qp.MapEntry(ma, "s", qp.String(c.Sig))
				qp.MapEntry(ma, "t", qp.String(c.SigType))
			}))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := dagcbor.Encode(n, &buf); err != nil {
		t.Fatal(err)
	}
	id, err := cid.Prefix{Version: 1, Codec: cid.DagCBOR, MhType: multihash.SHA2_256, MhLength: -1}.Sum(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), id
}

// baseCACAO returns a typical did-session capability from w to session.
func baseCACAO(w wallet, session string) testCACAO {
	return testCACAO{
		HeaderType: "eip4361",
		Domain:     "app.example.com",
		Iss:        "did:pkh:eip155:1:" + w.addr,
		Aud:        session,
		Version:    "1",
		Nonce:      "Xq3v9LmB2p",
		Iat:        "2024-03-01T10:00:00.000Z",
		Exp:        "2024-03-08T10:00:00.000Z",
		Statement:  "Give this application access to some of your data on Ceramic",
		Resources:  []string{"ceramic://*"},
		SigType:    "eip191",
	}
}
