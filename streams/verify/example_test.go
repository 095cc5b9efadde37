package verify_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"

	"github.com/goceramic/ceramic/streams/verify"
)

func ExampleVerify() {
	// A did:key controller signs a commit payload directly.
	seed := sha256.Sum256([]byte("example"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	fp, _ := multibase.Encode(multibase.Base58BTC, append([]byte{0xed, 0x01}, priv.Public().(ed25519.PublicKey)...))
	did := "did:key:" + fp

	payload, _ := cid.Prefix{Version: 1, Codec: cid.DagCBOR, MhType: multihash.SHA2_256, MhLength: -1}.Sum([]byte("commit payload"))
	protected := []byte(`{"alg":"EdDSA","kid":"` + did + "#" + fp + `"}`)
	input := base64.RawURLEncoding.EncodeToString(protected) + "." + base64.RawURLEncoding.EncodeToString(payload.Bytes())
	jws := verify.JWS{Protected: protected, Payload: payload.Bytes(), Signature: ed25519.Sign(priv, []byte(input))}

	req := verify.Request{
		JWS:        jws,
		Controller: did,
		StreamID:   "kjzl6kcym7w8y8fn6y54ys70b3199rzcvycug2qf2rvmwntlnoysenmzv4ntnke",
		Now:        time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	res, err := verify.Verify(req)
	fmt.Println(res.SignerDID == did, err)

	// Another controller: the same commit is not authorised.
	req.Controller = "did:key:z6MktBynAPLrEyeS7pVthbiyScmfu8n5V7boXgxyo5q3SZRR"
	_, err = verify.Verify(req)
	fmt.Println(errors.Is(err, verify.ErrUnauthorized))
	// Output:
	// true <nil>
	// true
}

func ExampleCapabilityCID() {
	protected := []byte(`{"alg":"EdDSA","cap":"ipfs://bafyreifu7xdhhlntwnrd7jxpps44wz6acamfcsxazc4oopnmldaotqok2y","kid":"did:key:z6Mkr4a3Z3FFaJF8YqWnWnVHqd5eDjZN9bDST6wVZC1hJ81P#z6Mkr4a3Z3FFaJF8YqWnWnVHqd5eDjZN9bDST6wVZC1hJ81P"}`)
	c, ok, err := verify.CapabilityCID(protected)
	fmt.Println(c, ok, err)
	// Output: bafyreifu7xdhhlntwnrd7jxpps44wz6acamfcsxazc4oopnmldaotqok2y true <nil>
}

func ExampleCheckLogExpiry() {
	expires := time.Date(2024, 6, 19, 20, 4, 42, 464e6, time.UTC)
	exp := verify.LogExpirationTime(expires)
	anchoredBefore := time.Date(2024, 6, 18, 0, 0, 0, 0, time.UTC).Unix()
	fmt.Println(exp, verify.CheckLogExpiry(exp, anchoredBefore, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	err := verify.CheckLogExpiry(exp, 0, time.Date(2024, 6, 20, 0, 0, 0, 0, time.UTC))
	fmt.Println(errors.Is(err, verify.ErrExpired))
	// Output:
	// 1718827482 <nil>
	// true
}
