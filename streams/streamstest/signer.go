// Package streamstest builds real signed commits for tests, benchmarks and load tools: an
// Ed25519 did:key signer that makes TileDocument genesis and update commits the way the
// js-ceramic clients make them.
package streamstest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/multiformats/go-multibase"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/jsonpatch"
)

// Signer signs commits as a did:key (Ed25519).
type Signer struct {
	key ed25519.PrivateKey
	// DID is the signer's did:key.
	DID string
	// KID is the DID URL of the key, as it appears in the protected header.
	KID string
}

// NewSigner derives a signer from a 32-byte seed; a nil seed picks a random key.
func NewSigner(seed []byte) *Signer {
	if seed == nil {
		seed = make([]byte, ed25519.SeedSize)
		_, _ = rand.Read(seed)
	}
	key := ed25519.NewKeyFromSeed(seed)
	pub := key.Public().(ed25519.PublicKey)
	id, _ := multibase.Encode(multibase.Base58BTC, append([]byte{0xed, 0x01}, pub...))
	return &Signer{key: key, DID: "did:key:" + id, KID: "did:key:" + id + "#" + id}
}

// Sign makes a signed commit (a JWS envelope over the dag-cbor payload).
func (s *Signer) Sign(payload map[string]any) (*codec.WireCommit, error) {
	data, err := codec.EncodeDagCBOR(payload)
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	pb := codec.NewBlock(codec.DagCBOR, data)
	protected, _ := json.Marshal(map[string]string{"alg": "EdDSA", "kid": s.KID})
	jws := codec.JWS{Payload: pb.CID.Bytes(), Protected: protected}
	jws.Signature = ed25519.Sign(s.key, jws.SigningInput())
	env, err := codec.EncodeJWS(jws)
	if err != nil {
		return nil, fmt.Errorf("encode envelope: %w", err)
	}
	return codec.NewWireCommit(codec.NewBlock(codec.DagJOSE, env), &pb, nil)
}

// Genesis makes a signed TileDocument genesis with content, controlled by the signer, with a
// random unique value (so every call makes a new stream). Extra header fields are merged in.
func (s *Signer) Genesis(content any, header map[string]any) (*codec.WireCommit, error) {
	unique := make([]byte, 12)
	_, _ = rand.Read(unique)
	h := map[string]any{"controllers": []any{s.DID}, "unique": base64.RawStdEncoding.EncodeToString(unique)}
	for k, v := range header {
		h[k] = v
	}
	return s.Sign(map[string]any{"header": h, "data": content})
}

// Update makes a signed update of st that changes its content to content (as a JSON patch)
// and merges header into its metadata.
func (s *Signer) Update(st *streams.State, content any, header map[string]any) (*codec.WireCommit, error) {
	if header == nil {
		header = map[string]any{}
	}
	return s.Sign(map[string]any{
		"id":     st.Log[0].CID,
		"prev":   st.Tip(),
		"header": header,
		"data":   jsonpatch.Diff(st.CurrentContent(), content),
	})
}

// Deterministic makes an unsigned, deterministic TileDocument genesis: the same controller,
// family and tags always give the same stream.
func Deterministic(controller, family string, tags ...string) (*codec.WireCommit, error) {
	h := map[string]any{"controllers": []any{controller}, "family": family}
	if len(tags) > 0 {
		t := make([]any, len(tags))
		for i, v := range tags {
			t[i] = v
		}
		h["tags"] = t
	}
	data, err := codec.EncodeDagCBOR(map[string]any{"header": h})
	if err != nil {
		return nil, err
	}
	return codec.NewWireCommit(codec.NewBlock(codec.DagCBOR, data), nil, nil)
}
