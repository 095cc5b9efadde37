package ethereum

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// Vectors of protocol spec §8.5.
const (
	vecRoot        = "bafyreic5p7grucmzx363ayxgoywb6d4qf5zjxgbqjixpkokbf5jtmdj5ni"
	vecCalldata    = "0x97ad09eb5d7fcd1a0999befdb062e6762c1f0f902f729b98304a2ef539412f53360d3d6a"
	vecTxHashCID   = "bagjqcgza7mvdlzewbfbq35peso2atjydg3ekalew5vmze7w2a5cbhmav4rmq"
	vecTxHash      = "0xfb2a35e49609430df5e493b409a70336c8a02c96ed59927eda074413b015e459"
	sepoliaRoot    = "bafyreicmmbibfikudglurxft6sijpbjloupdf4jhyfof4s4fhgcc576qte"
	sepoliaData    = "0x97ad09eb4c605012a154199748dcb3f49097852b751e32f127c15c5e4b8539842effd099"
	sepoliaTxCID   = "bagjqcgzaflvcfmukjqlips4oxxto6wq644by77dhe77d3gglvreh345qp4ka"
	vecLegacyStart = "0x0f017112205d7fcd1a"
)

func mustCID(t *testing.T, s string) cid.Cid {
	t.Helper()
	c, err := cid.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAnchorSelector(t *testing.T) {
	sel := crypto.Keccak256([]byte("anchorDagCbor(bytes32)"))[:4]
	if !bytes.Equal(sel, AnchorSelector[:]) {
		t.Fatalf("keccak256(anchorDagCbor(bytes32))[:4] = %x, AnchorSelector = %x", sel, AnchorSelector)
	}
	if hex.EncodeToString(sel) != "97ad09eb" {
		t.Fatalf("selector %x, want 97ad09eb", sel)
	}
	if ContractAddress.Hex() != "0x231055A0852D67C7107Ad0d0DFeab60278fE6AdC" {
		t.Fatalf("ContractAddress = %s", ContractAddress.Hex())
	}
}

func TestCalldataVectors(t *testing.T) {
	for _, tc := range []struct{ root, data string }{
		{vecRoot, vecCalldata},
		{sepoliaRoot, sepoliaData},
	} {
		root := mustCID(t, tc.root)
		got, err := Calldata(root)
		if err != nil {
			t.Fatal(err)
		}
		if "0x"+hex.EncodeToString(got) != tc.data {
			t.Errorf("Calldata(%s) = 0x%x, want %s", tc.root, got, tc.data)
		}
		back, err := RootFromCalldata(common.FromHex(tc.data))
		if err != nil {
			t.Fatal(err)
		}
		if !back.Equals(root) || back.String() != tc.root {
			t.Errorf("RootFromCalldata(%s) = %s, want %s", tc.data, back, tc.root)
		}
	}
}

func TestCalldataRejectsOtherCIDs(t *testing.T) {
	digest := mustCID(t, vecRoot).Hash()
	sha512, _ := mh.Sum([]byte("x"), mh.SHA2_512, -1)
	for name, c := range map[string]cid.Cid{
		"undefined":        cid.Undef,
		"CIDv0":            cid.NewCidV0(digest),
		"raw codec":        cid.NewCidV1(cid.Raw, digest),
		"dag-jose codec":   cid.NewCidV1(0x85, digest),
		"sha2-512 digest":  cid.NewCidV1(cid.DagCBOR, sha512),
		"identity digest":  cid.NewCidV1(cid.DagCBOR, mustIdentity(t)),
		"keccak-256 (eth)": TxHashCID(common.HexToHash(vecTxHash)),
	} {
		if _, err := Calldata(c); err == nil {
			t.Errorf("Calldata(%s) succeeded", name)
		}
	}
}

func mustIdentity(t *testing.T) mh.Multihash {
	m, err := mh.Sum(bytes.Repeat([]byte{1}, 32), mh.IDENTITY, -1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRootFromCalldataErrors(t *testing.T) {
	good := common.FromHex(vecCalldata)
	for name, in := range map[string][]byte{
		"empty":          nil,
		"selector only":  good[:4],
		"short":          good[:35],
		"long":           append(append([]byte{}, good...), 0),
		"other selector": append([]byte{0xde, 0xad, 0xbe, 0xef}, good[4:]...),
		"legacy input":   common.FromHex(vecLegacyStart),
	} {
		if c, err := RootFromCalldata(in); err == nil {
			t.Errorf("%s: RootFromCalldata = %s, want an error", name, c)
		}
	}
}

func TestLegacyInputVector(t *testing.T) {
	root := mustCID(t, vecRoot)
	// The CAS wrote "0x" + "0" + "f" + hex(cid bytes); as transaction data that is the byte
	// 0x0f followed by the CID. §8.5 gives its start.
	casString := "0x" + "0" + "f" + hex.EncodeToString(root.Bytes())
	if !strings.HasPrefix(casString, vecLegacyStart) || !strings.HasSuffix(casString, "3d6a") {
		t.Fatalf("legacy encoding %s does not match the §8.5 vector %s…3d6a", casString, vecLegacyStart)
	}
	input := common.FromHex(casString)
	if input[0] != 0x0f || !bytes.Equal(input[1:], root.Bytes()) {
		t.Fatalf("legacy data 0x%x is not 0x0f + CID", input)
	}
	got, err := RootFromLegacyInput(input)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equals(root) {
		t.Fatalf("RootFromLegacyInput = %s, want %s", got, root)
	}
	// js-ceramic drops the character after "0x0" without looking at it.
	input[0] = 0x00
	if got, err := RootFromLegacyInput(input); err != nil || !got.Equals(root) {
		t.Fatalf("RootFromLegacyInput(0x00…) = %s, %v; want %s", got, err, root)
	}
}

func TestLegacyInputErrors(t *testing.T) {
	root := mustCID(t, vecRoot)
	for name, in := range map[string][]byte{
		"empty":            nil,
		"prefix only":      {0x0f},
		"calldata":         common.FromHex(vecCalldata),
		"high nibble set":  append([]byte{0x1f}, root.Bytes()...),
		"no prefix":        root.Bytes(),
		"trailing bytes":   append(append([]byte{0x0f}, root.Bytes()...), 0x00),
		"truncated digest": append([]byte{0x0f}, root.Bytes()[:20]...),
	} {
		if c, err := RootFromLegacyInput(in); err == nil {
			t.Errorf("%s: RootFromLegacyInput = %s, want an error", name, c)
		}
	}
}

func TestTxHashCIDVector(t *testing.T) {
	h := common.HexToHash(vecTxHash)
	c := TxHashCID(h)
	if c.String() != vecTxHashCID {
		t.Fatalf("TxHashCID(%s) = %s, want %s", vecTxHash, c, vecTxHashCID)
	}
	if c.Type() != 0x93 {
		t.Fatalf("codec 0x%x, want 0x93", c.Type())
	}
	back, err := TxHashFromCID(mustCID(t, vecTxHashCID))
	if err != nil {
		t.Fatal(err)
	}
	if back != h {
		t.Fatalf("TxHashFromCID = %s, want %s", back.Hex(), vecTxHash)
	}

	// The Sepolia witness proof's txHash names tx 0x2aea22b2…7f14.
	sep, err := TxHashFromCID(mustCID(t, sepoliaTxCID))
	if err != nil {
		t.Fatal(err)
	}
	if hx := sep.Hex(); !strings.HasPrefix(hx, "0x2aea22b2") || !strings.HasSuffix(hx, "7f14") {
		t.Fatalf("Sepolia tx hash %s, want 0x2aea22b2…7f14", hx)
	}
	if TxHashCID(sep).String() != sepoliaTxCID {
		t.Fatalf("TxHashCID does not round-trip %s", sepoliaTxCID)
	}
}

func TestTxHashFromCIDIsCodecAgnostic(t *testing.T) {
	h := common.HexToHash(vecTxHash)
	m, _ := mh.Encode(h[:], mh.KECCAK_256)
	for _, codec := range []uint64{cid.Raw, cid.DagCBOR, 0x93} {
		got, err := TxHashFromCID(cid.NewCidV1(codec, m))
		if err != nil || got != h {
			t.Errorf("codec 0x%x: TxHashFromCID = %s, %v", codec, got.Hex(), err)
		}
	}
	short, _ := mh.Encode(h[:20], mh.IDENTITY)
	if _, err := TxHashFromCID(cid.NewCidV1(0x93, short)); err == nil {
		t.Error("a 20-byte digest was accepted")
	}
	if _, err := TxHashFromCID(cid.Undef); err == nil {
		t.Error("an undefined CID was accepted")
	}
}

func TestParseChainID(t *testing.T) {
	for in, want := range map[string]int64{
		"eip155:1": 1, "eip155:1337": 1337, "eip155:11155111": 11155111, "eip155:100": 100,
	} {
		got, err := ParseChainID(in)
		if err != nil || got != want {
			t.Errorf("ParseChainID(%q) = %d, %v; want %d", in, got, err, want)
		}
		if chainName(got) != in {
			t.Errorf("chainName(%d) = %q", got, chainName(got))
		}
	}
	for _, in := range []string{"", "eip155", "eip155:", "eip155:0", "eip155:-1", "eip155:+5", "eip155:01",
		"eip155:x", "inmemory:12345", "EIP155:1", "eip155:1:2", "eip155:99999999999999999999"} {
		if n, err := ParseChainID(in); err == nil {
			t.Errorf("ParseChainID(%q) = %d, want an error", in, n)
		}
	}
}

func TestThresholds(t *testing.T) {
	want := map[string]uint64{
		"eip155:1": 16688195, "eip155:3": 1000000000, "eip155:5": 8498671,
		"eip155:100": 26509835, "eip155:1337": 1, "eip155:11155111": 5518585,
	}
	if len(Thresholds) != len(want) {
		t.Fatalf("Thresholds has %d chains, want %d", len(Thresholds), len(want))
	}
	for k, n := range want {
		if Thresholds[k] != n {
			t.Errorf("Thresholds[%s] = %d, want %d", k, Thresholds[k], n)
		}
	}
	if _, ok := Thresholds["eip155:4"]; ok {
		t.Error("eip155:4 must have no threshold")
	}
}

func TestParsePrivateKey(t *testing.T) {
	const hexKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	for _, in := range []string{hexKey, "0x" + hexKey, "0X" + strings.ToUpper(hexKey), " " + hexKey + "\n"} {
		k, err := ParsePrivateKey(in)
		if err != nil {
			t.Fatalf("ParsePrivateKey: %v", err)
		}
		if got := hex.EncodeToString(crypto.FromECDSA(k)); got != hexKey {
			t.Fatalf("key %s, want %s", got, hexKey)
		}
	}
	bad := []string{"", "0x", hexKey[:62], hexKey + "00", "zz" + hexKey[2:],
		strings.Repeat("0", 64), strings.Repeat("f", 64)}
	for _, in := range bad {
		_, err := ParsePrivateKey(in)
		if err == nil {
			t.Errorf("ParsePrivateKey(%q) succeeded", in)
			continue
		}
		trimmed := strings.TrimPrefix(in, "0x")
		if len(trimmed) >= 8 && strings.Contains(err.Error(), trimmed[:8]) {
			t.Errorf("error %q repeats the key", err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:7545":                  "http://localhost:7545",
		"https://mainnet.infura.io/v3/secretkey": "https://mainnet.infura.io/…",
		"https://user:pass@rpc.example.org":      "https://rpc.example.org/…",
		"wss://rpc.example.org/?apikey=secret":   "wss://rpc.example.org/…",
		"not a url":                              "(unparsable URL)",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLRU(t *testing.T) {
	c := newLRU[int, string](2)
	c.put(1, "a")
	c.put(2, "b")
	if v, ok := c.get(1); !ok || v != "a" { // 1 is now the most recent
		t.Fatal("1 missing")
	}
	c.put(3, "c") // evicts 2
	if _, ok := c.get(2); ok {
		t.Error("2 was not evicted")
	}
	if _, ok := c.get(1); !ok {
		t.Error("1 was evicted")
	}
	if c.len() != 2 {
		t.Errorf("len %d", c.len())
	}
	c.put(1, "A")
	if v, _ := c.get(1); v != "A" || c.len() != 2 {
		t.Errorf("update: %q, len %d", v, c.len())
	}
}
