package verify

import (
	"errors"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary commits, capability blocks and contexts to
// Verify: it must never panic, and every error must match exactly one
// sentinel.
func FuzzVerify(f *testing.F) {
	for _, v := range loadVectors(f) {
		r := v.request(f)
		at := int64(0)
		if r.AtTime != nil {
			at = r.AtTime.UnixMilli()
		}
		f.Add(r.JWS.Protected, r.JWS.Payload, r.JWS.Signature, r.CACAO, r.Controller, r.StreamID, r.Model, r.Now.UnixMilli(), at)
	}
	ed := ed25519Signer("fuzz")
	p := payloadCID(f, "fuzz")
	j := makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), p, algEdDSA)
	f.Add(j.Protected, j.Payload, j.Signature, []byte(nil), ed.did, testStreamID, "", int64(0), int64(0))
	f.Add([]byte(`{"alg":"ES256K-R","kid":"did:pkh:eip155:1:0x0000000000000000000000000000000000000000"}`), p.Bytes(), make([]byte, 65), []byte(nil),
		"did:pkh:eip155:1:0x0000000000000000000000000000000000000000", testStreamID, "", int64(0), int64(0))
	f.Add([]byte(`{"alg":"EdDSA","cap":"ipfs://`+p.String()+`","kid":"did:key:z6Mk"}`), p.Bytes(), []byte{1}, []byte{0xa1, 0x61, 0x70, 0xa0}, "did:key:z6Mk", "", "", int64(0), int64(0))

	f.Fuzz(func(t *testing.T, prot, payload, sig, cacao []byte, controller, streamID, model string, nowMs, atMs int64) {
		r := Request{
			JWS:        JWS{Protected: prot, Payload: payload, Signature: sig},
			CACAO:      cacao,
			Controller: controller,
			StreamID:   streamID,
			Model:      model,
			Now:        time.UnixMilli(nowMs),
		}
		if len(cacao) == 0 {
			r.CACAO = nil
		}
		if atMs != 0 {
			at := time.UnixMilli(atMs)
			r.AtTime = &at
		}
		res, err := Verify(r)
		if err == nil {
			if res.SignerDID == "" || res.KID == "" {
				t.Fatalf("accepted with empty result %+v", res)
			}
			return
		}
		n := 0
		for _, s := range sentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("error %q matches %d sentinels", err, n)
		}
		_, _, _ = CapabilityCID(prot)
	})
}
