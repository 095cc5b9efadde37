package p2p

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// MessageType is the "typ" field of a Ceramic pubsub message.
type MessageType int

// The message types of the pubsub-era protocol.
const (
	TypeUpdate    MessageType = 0
	TypeQuery     MessageType = 1
	TypeResponse  MessageType = 2
	TypeKeepalive MessageType = 3
)

func (t MessageType) String() string {
	switch t {
	case TypeUpdate:
		return "UPDATE"
	case TypeQuery:
		return "QUERY"
	case TypeResponse:
		return "RESPONSE"
	case TypeKeepalive:
		return "KEEPALIVE"
	}
	return fmt.Sprintf("MessageType(%d)", int(t))
}

// Message is a decoded Ceramic pubsub message. Which fields are set depends on Type.
type Message struct {
	Type MessageType
	// Stream is the StreamID string (UPDATE, QUERY).
	Stream string
	// Tip is the new tip CID string (UPDATE).
	Tip string
	// Model is the optional model StreamID string (UPDATE).
	Model string
	// ID is the query id (QUERY, RESPONSE).
	ID string
	// Tips maps StreamID strings to tip CID strings (RESPONSE).
	Tips map[string]string
	// Timestamp is milliseconds since the epoch (KEEPALIVE).
	Timestamp int64
	// Version and IPFSVersion identify the sender's software (KEEPALIVE).
	Version, IPFSVersion string
}

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("p2p: malformed message")

// wire is the JSON shape shared by all message types.
type wire struct {
	Typ     json.RawMessage   `json:"typ"`
	Stream  string            `json:"stream,omitempty"`
	Tip     string            `json:"tip,omitempty"`
	Model   string            `json:"model,omitempty"`
	ID      string            `json:"id,omitempty"`
	Tips    map[string]string `json:"tips,omitempty"`
	TS      json.RawMessage   `json:"ts,omitempty"`
	Ver     *string           `json:"ver,omitempty"`
	IPFSVer *string           `json:"ipfsVer,omitempty"`
}

// Decode parses a pubsub payload. Fields a message type requires must be present; unknown
// fields are ignored.
func Decode(data []byte) (Message, error) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if w.Typ == nil {
		return Message{}, fmt.Errorf("%w: no typ field", ErrMalformed)
	}
	typ, err := jsonInt(w.Typ)
	if err != nil {
		return Message{}, fmt.Errorf("%w: typ %s is not an integer", ErrMalformed, w.Typ)
	}
	m := Message{Type: MessageType(typ)}
	switch m.Type {
	case TypeUpdate:
		if w.Stream == "" || w.Tip == "" {
			return Message{}, fmt.Errorf("%w: UPDATE needs stream and tip", ErrMalformed)
		}
		m.Stream, m.Tip, m.Model = w.Stream, w.Tip, w.Model
	case TypeQuery:
		if w.Stream == "" || w.ID == "" {
			return Message{}, fmt.Errorf("%w: QUERY needs stream and id", ErrMalformed)
		}
		m.Stream, m.ID = w.Stream, w.ID
	case TypeResponse:
		if w.ID == "" || w.Tips == nil {
			return Message{}, fmt.Errorf("%w: RESPONSE needs id and tips", ErrMalformed)
		}
		m.ID, m.Tips = w.ID, w.Tips
	case TypeKeepalive:
		if w.TS == nil || w.Ver == nil || w.IPFSVer == nil {
			return Message{}, fmt.Errorf("%w: KEEPALIVE needs ts, ver and ipfsVer", ErrMalformed)
		}
		ts, err := jsonInt(w.TS)
		if err != nil {
			return Message{}, fmt.Errorf("%w: KEEPALIVE ts %s is not an integer", ErrMalformed, w.TS)
		}
		m.Timestamp, m.Version, m.IPFSVersion = ts, *w.Ver, *w.IPFSVer
	default:
		return Message{}, fmt.Errorf("%w: unknown typ %d", ErrMalformed, typ)
	}
	return m, nil
}

// jsonInt parses a JSON number token (never a string) holding an integer.
func jsonInt(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, errors.New("not a number")
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Encode renders a message as js-ceramic sends it: compact JSON with "typ" first.
func Encode(m Message) ([]byte, error) {
	var v any
	switch m.Type {
	case TypeUpdate:
		v = struct {
			Typ    MessageType `json:"typ"`
			Stream string      `json:"stream"`
			Tip    string      `json:"tip"`
			Model  string      `json:"model,omitempty"`
		}{m.Type, m.Stream, m.Tip, m.Model}
	case TypeQuery:
		v = struct {
			Typ    MessageType `json:"typ"`
			Stream string      `json:"stream"`
			ID     string      `json:"id"`
		}{m.Type, m.Stream, m.ID}
	case TypeResponse:
		v = struct {
			Typ  MessageType       `json:"typ"`
			ID   string            `json:"id"`
			Tips map[string]string `json:"tips"`
		}{m.Type, m.ID, m.Tips}
	case TypeKeepalive:
		v = struct {
			Typ     MessageType `json:"typ"`
			TS      int64       `json:"ts"`
			Ver     string      `json:"ver"`
			IPFSVer string      `json:"ipfsVer"`
		}{m.Type, m.Timestamp, m.Version, m.IPFSVersion}
	default:
		return nil, fmt.Errorf("p2p: cannot encode message type %d", int(m.Type))
	}
	return json.Marshal(v)
}

// QueryID is the id js-ceramic gives a QUERY for a stream: the unpadded base64url form of the
// sha2-256 multihash of the canonical dag-cbor map {"typ": 1, "stream": <streamID>}. Every node
// derives the same id for the same stream.
func QueryID(streamID string) string {
	// Canonical dag-cbor orders map keys by length, so "typ" precedes "stream".
	var b bytes.Buffer
	b.WriteByte(0xa2) // map of 2 pairs
	cborText(&b, "typ")
	b.WriteByte(0x01) // unsigned integer 1
	cborText(&b, "stream")
	cborText(&b, streamID)
	sum := sha256.Sum256(b.Bytes())
	mh := append([]byte{0x12, 0x20}, sum[:]...)
	return base64.RawURLEncoding.EncodeToString(mh)
}

// cborText appends a CBOR text string (major type 3) with its minimal-length header.
func cborText(b *bytes.Buffer, s string) {
	n := len(s)
	switch {
	case n < 24:
		b.WriteByte(0x60 | byte(n))
	case n < 1<<8:
		b.WriteByte(0x78)
		b.WriteByte(byte(n))
	case n < 1<<16:
		b.WriteByte(0x79)
		b.WriteByte(byte(n >> 8))
		b.WriteByte(byte(n))
	default:
		b.WriteByte(0x7a)
		b.Write([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	}
	b.WriteString(s)
}
