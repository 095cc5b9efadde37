package streamid

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
)

type vectors struct {
	Genesis string `json:"genesis"`
	Commit  string `json:"commit"`
	Streams []struct {
		Name     string `json:"name"`
		Type     uint64 `json:"type"`
		TypeName string `json:"typeName"`
		String   string `json:"string"`
		Hex      string `json:"hex"`
	} `json:"streams"`
	Commits []struct {
		Name   string `json:"name"`
		Type   uint64 `json:"type"`
		Commit string `json:"commit"`
		String string `json:"string"`
		Hex    string `json:"hex"`
	} `json:"commits"`
	MetaModel struct {
		String string `json:"string"`
		Hex    string `json:"hex"`
	} `json:"metaModel"`
	Parse []struct {
		Name  string `json:"name"`
		Input string `json:"input"`
		Kind  string `json:"kind"`
		Want  string `json:"want"`
	} `json:"parse"`
	BadBytes []struct {
		Name string `json:"name"`
		Hex  string `json:"hex"`
	} `json:"badBytes"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustCID(t *testing.T, s string) cid.Cid {
	t.Helper()
	c, err := cid.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStreamIDVectors(t *testing.T) {
	v := loadVectors(t)
	genesis := mustCID(t, v.Genesis)
	for _, tc := range v.Streams {
		t.Run(tc.Name, func(t *testing.T) {
			wantBytes := mustHex(t, tc.Hex)
			id := New(Type(tc.Type), genesis)
			if !bytes.Equal(id.Bytes(), wantBytes) {
				t.Errorf("Bytes() = %x, want %x", id.Bytes(), wantBytes)
			}
			if got := id.Type().Name(); got != tc.TypeName {
				t.Errorf("Type().Name() = %q, want %q", got, tc.TypeName)
			}
			parsed, err := FromBytes(wantBytes)
			if err != nil {
				t.Fatalf("FromBytes: %v", err)
			}
			if parsed != id {
				t.Errorf("FromBytes = %v, want %v", parsed, id)
			}
			if tc.String == "" {
				return
			}
			if got := id.String(); got != tc.String {
				t.Errorf("String() = %q, want %q", got, tc.String)
			}
			fromString, err := Parse(tc.String)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !fromString.Equal(id) || fromString.Genesis() != genesis || fromString.Type() != Type(tc.Type) {
				t.Errorf("Parse = %v, want %v", fromString, id)
			}
			if got := id.URL(); got != "ceramic://"+tc.String {
				t.Errorf("URL() = %q", got)
			}
		})
	}
}

func TestCommitIDVectors(t *testing.T) {
	v := loadVectors(t)
	genesis := mustCID(t, v.Genesis)
	for _, tc := range v.Commits {
		t.Run(tc.Name, func(t *testing.T) {
			wantBytes := mustHex(t, tc.Hex)
			commit := cid.Undef
			if tc.Commit != "" {
				commit = mustCID(t, tc.Commit)
			}
			c := NewCommitID(Type(tc.Type), genesis, commit)
			if !bytes.Equal(c.Bytes(), wantBytes) {
				t.Errorf("Bytes() = %x, want %x", c.Bytes(), wantBytes)
			}
			if got := c.String(); got != tc.String {
				t.Errorf("String() = %q, want %q", got, tc.String)
			}
			wantCommit := commit
			if tc.Commit == "" {
				wantCommit = genesis
			}
			if c.Commit() != wantCommit {
				t.Errorf("Commit() = %s, want %s", c.Commit(), wantCommit)
			}
			if c.IsGenesis() != (tc.Commit == "") {
				t.Errorf("IsGenesis() = %v", c.IsGenesis())
			}
			if c.StreamID() != New(Type(tc.Type), genesis) {
				t.Errorf("StreamID() = %v", c.StreamID())
			}
			fromBytes, err := CommitIDFromBytes(wantBytes)
			if err != nil {
				t.Fatalf("CommitIDFromBytes: %v", err)
			}
			if !fromBytes.Equal(c) {
				t.Errorf("CommitIDFromBytes = %v, want %v", fromBytes, c)
			}
			fromString, err := ParseCommitID(tc.String)
			if err != nil {
				t.Fatalf("ParseCommitID: %v", err)
			}
			if fromString != c {
				t.Errorf("ParseCommitID = %v, want %v", fromString, c)
			}
			// The StreamID parsers refuse a CommitID.
			if _, err := Parse(tc.String); !errors.Is(err, ErrUnexpectedCommit) || !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(CommitID) error = %v, want ErrUnexpectedCommit", err)
			}
			if _, err := FromBytes(wantBytes); !errors.Is(err, ErrUnexpectedCommit) {
				t.Errorf("FromBytes(CommitID) error = %v, want ErrUnexpectedCommit", err)
			}
		})
	}
}

func TestCommitIDNormalisesGenesis(t *testing.T) {
	v := loadVectors(t)
	genesis := mustCID(t, v.Genesis)
	id := New(Tile, genesis)
	tests := []struct {
		name string
		c    CommitID
	}{
		{"AtCommit(genesis)", id.AtCommit(genesis)},
		{"AtCommit(Undef)", id.AtCommit(cid.Undef)},
		{"AtGenesis", id.AtGenesis()},
		{"NewCommitID(genesis)", NewCommitID(Tile, genesis, genesis)},
		{"explicit genesis bytes", func() CommitID {
			b := append(id.Bytes(), genesis.Bytes()...)
			c, err := CommitIDFromBytes(b)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}()},
	}
	want := append(id.Bytes(), 0)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.c.IsGenesis() {
				t.Error("IsGenesis() = false")
			}
			if !bytes.Equal(tc.c.Bytes(), want) {
				t.Errorf("Bytes() = %x, want %x", tc.c.Bytes(), want)
			}
			if tc.c.Commit() != genesis {
				t.Errorf("Commit() = %s", tc.c.Commit())
			}
		})
	}
}

func TestCommitIDIgnoresTrailingBytes(t *testing.T) {
	v := loadVectors(t)
	b := append(mustHex(t, v.Commits[1].Hex), 1, 2, 3)
	c, err := CommitIDFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String(); got != v.Commits[1].String {
		t.Errorf("String() = %q, want %q", got, v.Commits[1].String)
	}
}

func TestParse(t *testing.T) {
	v := loadVectors(t)
	for _, tc := range v.Parse {
		t.Run(tc.Name, func(t *testing.T) {
			sid, sidErr := Parse(tc.Input)
			cmt, cidErr := ParseCommitID(tc.Input)
			anyID, anyCommit, anyErr := ParseAny(tc.Input)
			switch tc.Kind {
			case "stream":
				if sidErr != nil {
					t.Fatalf("Parse: %v", sidErr)
				}
				if sid.String() != tc.Want {
					t.Errorf("Parse = %q, want %q", sid, tc.Want)
				}
				if !errors.Is(cidErr, ErrMissingCommit) || !errors.Is(cidErr, ErrInvalid) {
					t.Errorf("ParseCommitID error = %v, want ErrMissingCommit", cidErr)
				}
				if anyErr != nil || anyCommit != nil || anyID != sid {
					t.Errorf("ParseAny = %v, %v, %v", anyID, anyCommit, anyErr)
				}
			case "commit":
				if cidErr != nil {
					t.Fatalf("ParseCommitID: %v", cidErr)
				}
				if cmt.String() != tc.Want {
					t.Errorf("ParseCommitID = %q, want %q", cmt, tc.Want)
				}
				if !errors.Is(sidErr, ErrUnexpectedCommit) || !errors.Is(sidErr, ErrInvalid) {
					t.Errorf("Parse error = %v, want ErrUnexpectedCommit", sidErr)
				}
				if anyErr != nil || anyCommit == nil || *anyCommit != cmt || anyID != cmt.StreamID() {
					t.Errorf("ParseAny = %v, %v, %v", anyID, anyCommit, anyErr)
				}
			case "error":
				for name, err := range map[string]error{"Parse": sidErr, "ParseCommitID": cidErr, "ParseAny": anyErr} {
					if !errors.Is(err, ErrInvalid) {
						t.Errorf("%s error = %v, want ErrInvalid", name, err)
						continue
					}
					if errors.Is(err, ErrUnexpectedCommit) || errors.Is(err, ErrMissingCommit) {
						t.Errorf("%s error = %v, should be about the syntax", name, err)
					}
					if !strings.HasPrefix(err.Error(), "streamid: invalid ") {
						t.Errorf("%s error = %q, want the streamid: invalid prefix", name, err)
					}
				}
			default:
				t.Fatalf("unknown kind %q", tc.Kind)
			}
		})
	}
}

func TestBadBytes(t *testing.T) {
	v := loadVectors(t)
	for _, tc := range v.BadBytes {
		t.Run(tc.Name, func(t *testing.T) {
			b := mustHex(t, tc.Hex)
			if _, err := FromBytes(b); !errors.Is(err, ErrInvalid) {
				t.Errorf("FromBytes error = %v, want ErrInvalid", err)
			}
			if _, err := CommitIDFromBytes(b); !errors.Is(err, ErrInvalid) {
				t.Errorf("CommitIDFromBytes error = %v, want ErrInvalid", err)
			}
			if _, _, err := FromBytesAny(b); !errors.Is(err, ErrInvalid) {
				t.Errorf("FromBytesAny error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name  string
		parse func() error
		want  string
	}{
		{
			name:  "not base36",
			parse: func() error { _, err := Parse("xyz"); return err },
			want:  `streamid: invalid StreamID "xyz": expected a base36 multibase string starting with "k", found "xyz"`,
		},
		{
			name: "commit id given",
			parse: func() error {
				_, err := Parse("k3y52l7qbv1frxwipl4hp7e6jlu4f6u8upm2xv0irmedfkm5cnutmezzi3u7mytj4")
				return err
			},
			want: `streamid: invalid StreamID "k3y52l7qbv1frxwipl4hp7e6jlu4f6u8upm2xv0irmedfkm5cnutmezzi3u7mytj4": it names a commit (it is a CommitID); use the StreamID of the stream`,
		},
		{
			name: "stream id given",
			parse: func() error {
				_, err := ParseCommitID("kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s")
				return err
			},
			want: `streamid: invalid CommitID "kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s": it names no commit (it is a StreamID); a CommitID is needed`,
		},
		{
			name:  "unknown cid version",
			parse: func() error { _, err := FromBytes([]byte{0xce, 0x01, 0x00, 0x02}); return err },
			want:  `streamid: invalid StreamID bytes ce010002: cannot read the genesis CID: unknown CID version 2`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse()
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v\nwant    %s", err, tc.want)
			}
		})
	}
}

func TestMetaModel(t *testing.T) {
	v := loadVectors(t)
	if got := MetaModel.String(); got != v.MetaModel.String {
		t.Errorf("MetaModel = %q, want %q", got, v.MetaModel.String)
	}
	if got := hex.EncodeToString(MetaModel.Bytes()); got != v.MetaModel.Hex {
		t.Errorf("MetaModel bytes = %s, want %s", got, v.MetaModel.Hex)
	}
	if MetaModel.Type() != Unloadable {
		t.Errorf("MetaModel type = %v", MetaModel.Type())
	}
	if MustParse(v.MetaModel.String) != MetaModel {
		t.Error("parsing the MetaModel string does not give MetaModel")
	}
}

func TestTypes(t *testing.T) {
	tests := []struct {
		typ  Type
		name string
	}{
		{Tile, "tile"},
		{Caip10Link, "caip10-link"},
		{Model, "model"},
		{MID, "MID"},
		{Unloadable, "UNLOADABLE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.typ.Name(); got != tc.name {
				t.Errorf("Name() = %q", got)
			}
			got, err := TypeByName(tc.name)
			if err != nil || got != tc.typ {
				t.Errorf("TypeByName(%q) = %v, %v", tc.name, got, err)
			}
		})
	}
	if Type(10).Registered() || Type(10).Name() != "" || Type(10).String() != "Type(10)" {
		t.Errorf("Type(10): registered %v, name %q, string %q", Type(10).Registered(), Type(10).Name(), Type(10).String())
	}
	if _, err := TypeByName("mid"); !errors.Is(err, ErrUnknownType) {
		t.Errorf("TypeByName(mid) error = %v", err)
	}
}

func TestJSON(t *testing.T) {
	v := loadVectors(t)
	type doc struct {
		Stream StreamID  `json:"stream"`
		Commit CommitID  `json:"commit"`
		Opt    *StreamID `json:"opt,omitempty"`
		Zero   StreamID  `json:"zero"`
	}
	in := doc{
		Stream: MustParse(v.Streams[0].String),
		Commit: MustParseCommitID(v.Commits[1].String),
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"stream":"` + v.Streams[0].String + `","commit":"` + v.Commits[1].String + `","zero":null}`
	if string(data) != want {
		t.Errorf("Marshal = %s\nwant      %s", data, want)
	}
	var out doc
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("Unmarshal = %+v, want %+v", out, in)
	}

	bad := []struct {
		name string
		json string
	}{
		{"commit id as stream id", `{"stream":"` + v.Commits[0].String + `"}`},
		{"stream id as commit id", `{"commit":"` + v.Streams[0].String + `"}`},
		{"number", `{"stream":5}`},
		{"garbage", `{"stream":"garbage"}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			if err := json.Unmarshal([]byte(tc.json), &d); !errors.Is(err, ErrInvalid) {
				t.Errorf("Unmarshal error = %v, want ErrInvalid", err)
			}
		})
	}

	// StreamIDs work as map keys in JSON objects.
	m := map[StreamID]int{in.Stream: 1}
	data, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back map[StreamID]int
	if err := json.Unmarshal(data, &back); err != nil || back[in.Stream] != 1 {
		t.Errorf("map round trip = %v, %v", back, err)
	}
}

func TestZeroValues(t *testing.T) {
	var id StreamID
	var c CommitID
	if id.Defined() || c.Defined() {
		t.Error("zero values are defined")
	}
	if id.String() != "" || c.String() != "" || id.Bytes() != nil || c.Bytes() != nil {
		t.Error("zero values render")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s",
		"k3y52l7qbv1frxwipl4hp7e6jlu4f6u8upm2xv0irmedfkm5cnutmezzi3u7mytj4",
		"/ceramic/kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s?commit=0",
		"kh4q0ozorrgaq2mezktnrmdwleo1d",
		"k",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, commit, err := ParseAny(s)
		if err != nil {
			return
		}
		if id.Genesis().Version() == 0 || (commit != nil && commit.Commit().Version() == 0) {
			// Like js-ceramic, a version-0 CID is written without its version and codec,
			// so such identifiers do not parse back.
			return
		}
		// Whatever parses must round-trip through its canonical string.
		if commit != nil {
			back, err := ParseCommitID(commit.String())
			if err != nil || back != *commit {
				t.Fatalf("CommitID %q does not round-trip: %v %v", commit, back, err)
			}
			return
		}
		back, err := Parse(id.String())
		if err != nil || back != id {
			t.Fatalf("StreamID %q does not round-trip: %v %v", id, back, err)
		}
	})
}
