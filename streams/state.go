package streams

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/streamid"
)

// AnchorStatus is a stream's anchoring progress as this node knows it.
type AnchorStatus int

// The anchor statuses; the numbers are the wire values of POST /streams/:id/anchor.
const (
	NotRequested AnchorStatus = 0
	Pending      AnchorStatus = 1
	Processing   AnchorStatus = 2
	Anchored     AnchorStatus = 3
	Failed       AnchorStatus = 4
	Replaced     AnchorStatus = 5
)

var anchorStatusNames = [...]string{"NOT_REQUESTED", "PENDING", "PROCESSING", "ANCHORED", "FAILED", "REPLACED"}

func (s AnchorStatus) String() string {
	if s >= 0 && int(s) < len(anchorStatusNames) {
		return anchorStatusNames[s]
	}
	return fmt.Sprintf("AnchorStatus(%d)", int(s))
}

// MarshalJSON writes the status name: serialized states carry names, never numbers.
func (s AnchorStatus) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a status name (or, leniently, its number).
func (s *AnchorStatus) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		var n int
		if err2 := json.Unmarshal(b, &n); err2 != nil || n < 0 || n >= len(anchorStatusNames) {
			return fmt.Errorf("streams: invalid anchorStatus %s", b)
		}
		*s = AnchorStatus(n)
		return nil
	}
	for i, v := range anchorStatusNames {
		if v == name {
			*s = AnchorStatus(i)
			return nil
		}
	}
	return fmt.Errorf("streams: invalid anchorStatus %q", name)
}

// SignatureStatus says whether the stream's latest change was signed.
type SignatureStatus int

// The signature statuses (serialized as numbers).
const (
	SignatureGenesis SignatureStatus = 0
	SignaturePartial SignatureStatus = 1
	SignatureSigned  SignatureStatus = 2
)

// CommitType classifies the entries of a stream's log (serialized as numbers).
type CommitType int

// The commit types.
const (
	CommitGenesis CommitType = 0
	CommitSigned  CommitType = 1
	CommitAnchor  CommitType = 2
)

// LogEntry is one commit of a stream's log.
type LogEntry struct {
	CID  cid.Cid
	Type CommitType
	// Timestamp is the anchor time (unix seconds) of the first anchor at or after this commit.
	Timestamp *int64
	// ExpirationTime is the expiry (unix seconds) of the capability the commit was signed under.
	ExpirationTime *int64
}

type logEntryJSON struct {
	CID            string     `json:"cid"`
	Type           CommitType `json:"type"`
	Timestamp      *int64     `json:"timestamp,omitempty"`
	ExpirationTime *int64     `json:"expirationTime,omitempty"`
}

// MarshalJSON writes the CID as a string.
func (e LogEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(logEntryJSON{e.CID.String(), e.Type, e.Timestamp, e.ExpirationTime})
}

// UnmarshalJSON reads the serialized form.
func (e *LogEntry) UnmarshalJSON(b []byte) error {
	var j logEntryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	c, err := cid.Decode(j.CID)
	if err != nil {
		return fmt.Errorf("streams: log entry cid %q: %w", j.CID, err)
	}
	*e = LogEntry{CID: c, Type: j.Type, Timestamp: j.Timestamp, ExpirationTime: j.ExpirationTime}
	return nil
}

// AnchorProof is the proof object of the latest anchor commit applied to a stream.
type AnchorProof struct {
	ChainID string
	TxHash  cid.Cid
	Root    cid.Cid
	// TxType is "f(bytes32)" for contract anchors; empty for legacy raw transactions.
	TxType string
}

type anchorProofJSON struct {
	ChainID string `json:"chainId"`
	TxHash  string `json:"txHash"`
	Root    string `json:"root"`
	TxType  string `json:"txType,omitempty"`
}

// MarshalJSON writes CIDs as strings.
func (p AnchorProof) MarshalJSON() ([]byte, error) {
	return json.Marshal(anchorProofJSON{p.ChainID, p.TxHash.String(), p.Root.String(), p.TxType})
}

// UnmarshalJSON reads the serialized form.
func (p *AnchorProof) UnmarshalJSON(b []byte) error {
	var j anchorProofJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	tx, err := cid.Decode(j.TxHash)
	if err != nil {
		return fmt.Errorf("streams: anchorProof.txHash: %w", err)
	}
	root, err := cid.Decode(j.Root)
	if err != nil {
		return fmt.Errorf("streams: anchorProof.root: %w", err)
	}
	*p = AnchorProof{ChainID: j.ChainID, TxHash: tx, Root: root, TxType: j.TxType}
	return nil
}

// Next holds changes applied on top of the last anchored state but not yet anchored
// (TileDocument and Caip10Link only).
type Next struct {
	Content    any
	HasContent bool
	Metadata   map[string]any
}

// State is the state of a stream after applying its log. Metadata is kept in its serialized
// form: metadata.model is a StreamID string and non-tile metadata.unique a base64 string.
type State struct {
	Type         streamid.Type
	Content      any
	Next         *Next
	Metadata     map[string]any
	Signature    SignatureStatus
	AnchorStatus AnchorStatus
	AnchorProof  *AnchorProof
	Log          []LogEntry

	// frozen, once set, holds the serialized form of a state that will not change again
	// (the engine freezes the states it caches and hands out).
	frozen *frozenJSON
}

// frozenJSON memoizes the serialization of a frozen state.
type frozenJSON struct {
	once sync.Once
	b    []byte
	err  error
}

// freeze marks the state as immutable, so its serialization can be computed once and
// shared. The engine calls it before a state becomes visible to other goroutines.
func (s *State) freeze() *State {
	if s.frozen == nil {
		s.frozen = &frozenJSON{}
	}
	return s
}

// ID is the stream's StreamID.
func (s *State) ID() streamid.StreamID { return streamid.New(s.Type, s.Log[0].CID) }

// Tip is the CID of the latest commit.
func (s *State) Tip() cid.Cid { return s.Log[len(s.Log)-1].CID }

// CommitID is the CommitID of the tip.
func (s *State) CommitID() streamid.CommitID { return s.ID().AtCommit(s.Tip()) }

// CurrentContent is what users see: the pending content if any, else the anchored content.
func (s *State) CurrentContent() any {
	if s.Next != nil && s.Next.HasContent {
		return s.Next.Content
	}
	return s.Content
}

// CurrentMetadata is the pending metadata if any, else the anchored metadata.
func (s *State) CurrentMetadata() map[string]any {
	if s.Next != nil && s.Next.Metadata != nil {
		return s.Next.Metadata
	}
	return s.Metadata
}

// Controller is the current controller DID.
func (s *State) Controller() string {
	return controllerOf(s.CurrentMetadata())
}

func controllerOf(md map[string]any) string {
	if cs, ok := md["controllers"].([]any); ok && len(cs) > 0 {
		if c, ok := cs[0].(string); ok {
			return c
		}
	}
	return ""
}

// Clone returns a deep copy, which is not frozen.
func (s *State) Clone() *State {
	c := *s
	c.frozen = nil
	c.Content = cloneValue(s.Content)
	c.Metadata = cloneMap(s.Metadata)
	if s.Next != nil {
		n := *s.Next
		n.Content = cloneValue(s.Next.Content)
		n.Metadata = cloneMap(s.Next.Metadata)
		c.Next = &n
	}
	if s.AnchorProof != nil {
		p := *s.AnchorProof
		c.AnchorProof = &p
	}
	c.Log = append([]LogEntry(nil), s.Log...)
	return &c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return cloneValue(m).(map[string]any)
}

// cloneValue deep-copies a JSON-like value (maps, slices, scalars, CIDs, byte slices).
func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = cloneValue(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = cloneValue(x)
		}
		return out
	case []byte:
		return append([]byte(nil), t...)
	default:
		return v
	}
}

// stateJSON is the serialized form of a state (HTTP API and state store).
type stateJSON struct {
	Type         streamid.Type   `json:"type"`
	Content      any             `json:"content"`
	Next         *nextJSON       `json:"next,omitempty"`
	Metadata     map[string]any  `json:"metadata"`
	Signature    SignatureStatus `json:"signature"`
	AnchorStatus AnchorStatus    `json:"anchorStatus"`
	AnchorProof  *AnchorProof    `json:"anchorProof,omitempty"`
	Log          []LogEntry      `json:"log"`
	Doctype      string          `json:"doctype"`
}

// nextJSON keeps "content" when it is present, even as null.
type nextJSON struct {
	Content    any
	HasContent bool
	Metadata   map[string]any
}

func (n nextJSON) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	if n.HasContent {
		m["content"] = n.Content
	}
	if n.Metadata != nil {
		m["metadata"] = n.Metadata
	}
	return marshalNoEscape(m)
}

// MarshalJSON writes the state as js-ceramic serializes it: anchorStatus as its name, CIDs and
// StreamIDs as strings, and a "doctype" with the type name.
func (s *State) MarshalJSON() ([]byte, error) {
	if f := s.frozen; f != nil {
		f.once.Do(func() { f.b, f.err = s.marshal() })
		return f.b, f.err
	}
	return s.marshal()
}

func (s *State) marshal() ([]byte, error) {
	j := stateJSON{
		Type: s.Type, Content: jsonValue(s.Content), Metadata: jsonMap(s.Metadata), Signature: s.Signature,
		AnchorStatus: s.AnchorStatus, AnchorProof: s.AnchorProof, Log: s.Log, Doctype: s.Type.Name(),
	}
	if j.Metadata == nil {
		j.Metadata = map[string]any{}
	}
	if s.Next != nil {
		j.Next = &nextJSON{Metadata: jsonMap(s.Next.Metadata), HasContent: s.Next.HasContent}
		if s.Next.HasContent {
			j.Next.Content = jsonValue(s.Next.Content)
		}
	}
	return marshalNoEscape(j)
}

// marshalNoEscape encodes v as compact JSON without escaping <, > and &, as JSON.stringify
// does. (Callers that re-encode the result with json.Marshal get those escapes back; write
// states with an Encoder whose SetEscapeHTML is false.)
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads a serialized state (as written by this node or by js-ceramic).
func (s *State) UnmarshalJSON(b []byte) error {
	var j struct {
		stateJSON
		Next *struct {
			Content  *json.RawMessage `json:"content"`
			Metadata map[string]any   `json:"metadata"`
		} `json:"next"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("streams: decode state: %w", err)
	}
	if len(j.Log) == 0 {
		return errors.New("streams: decode state: empty log")
	}
	*s = State{
		Type: j.Type, Content: j.Content, Metadata: j.Metadata, Signature: j.Signature,
		AnchorStatus: j.AnchorStatus, AnchorProof: j.AnchorProof, Log: j.Log,
	}
	if j.Next != nil {
		s.Next = &Next{Metadata: j.Next.Metadata}
		if j.Next.Content != nil {
			var v any
			if err := json.Unmarshal(*j.Next.Content, &v); err != nil {
				return fmt.Errorf("streams: decode state next.content: %w", err)
			}
			s.Next.Content, s.Next.HasContent = v, true
		}
	}
	if s.Metadata == nil {
		s.Metadata = map[string]any{}
	}
	return nil
}

// jsonValue converts the values that appear in commit contents to the JSON js-ceramic gives
// them: CIDs as {"/": "<cid>"} and bytes as {"0": b0, "1": b1, …}. Other values pass.
func jsonValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = jsonValue(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = jsonValue(x)
		}
		return out
	case cid.Cid:
		return map[string]any{"/": t.String()}
	case []byte:
		// JSON.stringify renders a Uint8Array as an object of its indexed bytes.
		out := make(map[string]any, len(t))
		for i, x := range t {
			out[strconv.Itoa(i)] = int(x)
		}
		return out
	default:
		return v
	}
}

func jsonMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return jsonValue(m).(map[string]any)
}
