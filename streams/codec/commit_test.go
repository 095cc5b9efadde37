package codec

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestFormAndType(t *testing.T) {
	c := CIDFor(DagCBOR, []byte{0xa0})
	tests := []struct {
		name  string
		codec uint64
		v     any
		form  Form
		typ   CommitType // for the body v (unsigned and anchor forms)
	}{
		{"unsigned genesis", DagCBOR, map[string]any{"header": map[string]any{}}, FormUnsigned, CommitTypeGenesis},
		{"unsigned update", DagCBOR, map[string]any{"id": c, "prev": c, "data": nil}, FormUnsigned, CommitTypeSigned},
		{"anchor", DagCBOR, map[string]any{"id": c, "prev": c, "proof": c, "path": ""}, FormAnchor, CommitTypeAnchor},
		{"anchor without prev is a genesis", DagCBOR, map[string]any{"proof": c, "path": ""}, FormAnchor, CommitTypeGenesis},
		{"null prev is a genesis", DagCBOR, map[string]any{"prev": nil}, FormUnsigned, CommitTypeGenesis},
		{"empty string prev is a genesis", DagCBOR, map[string]any{"prev": ""}, FormUnsigned, CommitTypeGenesis},
		{"zero prev is a genesis", DagCBOR, map[string]any{"prev": int64(0)}, FormUnsigned, CommitTypeGenesis},
		{"string prev is not a genesis", DagCBOR, map[string]any{"prev": "x"}, FormUnsigned, CommitTypeSigned},
		{"empty map prev is not a genesis", DagCBOR, map[string]any{"prev": map[string]any{}}, FormUnsigned, CommitTypeSigned},
		{"link key means signed", DagCBOR, map[string]any{"link": c, "prev": c}, FormSigned, CommitTypeSigned},
		{"link wins over proof", DagCBOR, map[string]any{"link": c, "proof": c, "prev": c}, FormSigned, CommitTypeSigned},
		{"dag-jose", DagJOSE, JWS{}, FormSigned, CommitTypeGenesis},
		{"not a map", DagCBOR, []any{}, FormUnsigned, CommitTypeGenesis},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormOf(tc.codec, tc.v); got != tc.form {
				t.Errorf("FormOf = %v, want %v", got, tc.form)
			}
			if got := TypeOf(tc.form, tc.v); got != tc.typ {
				t.Errorf("TypeOf = %v, want %v", got, tc.typ)
			}
		})
	}
}

func TestSignedCommitTypes(t *testing.T) {
	want := map[string]CommitType{
		"SIGNED_INIT_EVENT_CAR":        CommitTypeGenesis,
		"SIGNED_DATA_EVENT_CAR":        CommitTypeSigned,
		"CACAO_SIGNED_DATA_EVENT_CAR":  CommitTypeGenesis, // despite its name, a signed genesis
		"DATA_EVENT_CAR_UNSIGNED_INIT": CommitTypeSigned,
	}
	for _, tc := range loadSignedCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			payload := tc.Payload.block(t)
			body, err := DecodeBlock(payload.CID, payload.Data)
			if err != nil {
				t.Fatal(err)
			}
			typ := TypeOf(FormSigned, body)
			if typ != want[tc.Name] {
				t.Fatalf("TypeOf = %v, want %v", typ, want[tc.Name])
			}
			var again []byte
			switch typ {
			case CommitTypeGenesis:
				g, err := DecodeGenesis(body)
				if err != nil {
					t.Fatal(err)
				}
				if !g.HasData || g.Header["sep"] != "model" {
					t.Errorf("genesis = %+v", g)
				}
				again = mustEncode(t, g.Value())
			default:
				d, err := DecodeDataCommit(body)
				if err != nil {
					t.Fatal(err)
				}
				if d.HasHeader || !d.HasData {
					t.Errorf("data commit = %+v", d)
				}
				again = mustEncode(t, d.Value())
			}
			if !bytes.Equal(again, payload.Data) {
				t.Errorf("Value() re-encodes to %x, want %x", again, payload.Data)
			}
		})
	}
}

func TestAnchorFixture(t *testing.T) {
	f := loadUnsigned(t)
	var anchor unsignedCase
	for _, c := range f.Cases {
		if c.Role == "anchor" {
			anchor = c
		}
	}
	data := mustHex(t, anchor.Hex)
	v, err := DecodeBlock(mustCID(t, anchor.CID), data)
	if err != nil {
		t.Fatal(err)
	}
	if FormOf(DagCBOR, v) != FormAnchor || TypeOf(FormAnchor, v) != CommitTypeAnchor {
		t.Fatalf("form %v type %v", FormOf(DagCBOR, v), TypeOf(FormAnchor, v))
	}
	a, err := DecodeAnchorCommit(v)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == nil || a.Path != "0" || a.Proof != f.Proof.block(t).CID {
		t.Errorf("anchor commit = %+v", a)
	}
	if again := mustEncode(t, a.Value()); !bytes.Equal(again, data) {
		t.Errorf("Value() re-encodes to %x, want %x", again, data)
	}

	proofBlock := f.Proof.block(t)
	pv, err := DecodeBlock(proofBlock.CID, proofBlock.Data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := DecodeAnchorProof(pv)
	if err != nil {
		t.Fatal(err)
	}
	if p.ChainID != "eip155:11155111" || p.TxType != "f(bytes32)" || p.Root != f.Root.block(t).CID || p.TxHash.Type() != 0x93 {
		t.Errorf("proof = %+v", p)
	}
	if again := mustEncode(t, p.Value()); !bytes.Equal(again, proofBlock.Data) {
		t.Errorf("Value() re-encodes to %x, want %x", again, proofBlock.Data)
	}
}

func TestDecodeCommitErrors(t *testing.T) {
	c := CIDFor(DagCBOR, []byte{0xa0})
	tests := []struct {
		name   string
		decode func(any) error
		v      any
		want   string
	}{
		{"genesis not a map", genesisErr, "x", "genesis commit is a string, not a map"},
		{"genesis without header", genesisErr, map[string]any{"data": nil}, "genesis commit has no header"},
		{"genesis header list", genesisErr, map[string]any{"header": []any{}}, "genesis header is a list, not a map"},
		{"data commit without id", dataErr, map[string]any{"prev": c}, "data commit has no id"},
		{"data commit id string", dataErr, map[string]any{"id": c.String(), "prev": c}, "data commit id is a string, not a CID"},
		{"data commit without prev", dataErr, map[string]any{"id": c}, "data commit has no prev"},
		{"data commit header string", dataErr, map[string]any{"id": c, "prev": c, "header": "h"}, "data commit header is a string, not a map"},
		{"anchor id string", anchorErr, map[string]any{"id": "x", "prev": c, "proof": c, "path": ""}, "anchor commit id is a string, not a CID"},
		{"anchor without proof", anchorErr, map[string]any{"prev": c, "path": ""}, "anchor commit has no proof"},
		{"anchor without path", anchorErr, map[string]any{"prev": c, "proof": c}, "anchor commit has no path"},
		{"anchor path number", anchorErr, map[string]any{"prev": c, "proof": c, "path": int64(0)}, "anchor commit path is a number, not a string"},
		{"proof without chainId", proofErr, map[string]any{"txHash": c, "root": c}, "anchor proof has no chainId"},
		{"proof root bytes", proofErr, map[string]any{"chainId": "eip155:1", "txHash": c, "root": []byte{1}}, "anchor proof root is bytes, not a CID"},
		{"proof txType number", proofErr, map[string]any{"chainId": "eip155:1", "txHash": c, "root": c, "txType": 1.5}, "anchor proof txType is a number, not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.decode(tc.v)
			if !errors.Is(err, ErrInvalidCommit) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want ErrInvalidCommit with %q", err, tc.want)
			}
		})
	}
}

func genesisErr(v any) error { _, err := DecodeGenesis(v); return err }
func dataErr(v any) error    { _, err := DecodeDataCommit(v); return err }
func anchorErr(v any) error  { _, err := DecodeAnchorCommit(v); return err }
func proofErr(v any) error   { _, err := DecodeAnchorProof(v); return err }

func TestOptionalFields(t *testing.T) {
	c := CIDFor(DagCBOR, []byte{0xa0})
	g, err := DecodeGenesis(map[string]any{"header": map[string]any{}})
	if err != nil || g.HasData {
		t.Errorf("genesis without data = %+v, %v", g, err)
	}
	d, err := DecodeDataCommit(map[string]any{"id": c, "prev": c, "header": nil, "data": []any{}})
	if err != nil || d.HasHeader || !d.HasData {
		t.Errorf("data commit with null header = %+v, %v", d, err)
	}
	a, err := DecodeAnchorCommit(map[string]any{"prev": c, "proof": c, "path": ""})
	if err != nil || a.ID != nil {
		t.Errorf("anchor commit without id = %+v, %v", a, err)
	}
	p, err := DecodeAnchorProof(map[string]any{"chainId": "eip155:1", "txHash": c, "root": c, "txType": nil})
	if err != nil || p.TxType != "" {
		t.Errorf("proof with null txType = %+v, %v", p, err)
	}
}

func TestDecodeBlockCodecs(t *testing.T) {
	raw := Block{CID: CIDFor(0x55, []byte("x")), Data: []byte("x")}
	if _, err := DecodeBlock(raw.CID, raw.Data); !errors.Is(err, ErrInvalidBlock) || !strings.Contains(err.Error(), "codec 0x55") {
		t.Errorf("raw block error = %v", err)
	}
	bad := NewBlock(DagJOSE, mustEncode(t, map[string]any{"payload": []byte{1}}))
	if _, err := DecodeBlock(bad.CID, bad.Data); !errors.Is(err, ErrInvalidBlock) || !strings.Contains(err.Error(), bad.CID.String()) {
		t.Errorf("bad dag-jose block error = %v", err)
	}
}
