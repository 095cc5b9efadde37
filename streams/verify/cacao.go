package verify

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/ipld/go-ipld-prime/codec/dagcbor"
	"github.com/ipld/go-ipld-prime/datamodel"
	"github.com/ipld/go-ipld-prime/node/basicnode"
)

// MaxBlockSize is the largest CACAO block accepted, in bytes; the same limit
// the network applies to every commit block.
const MaxBlockSize = 256_000

// Capability time tolerances.
const (
	// ClockSkew is added to the capability's iat, nbf and exp before they
	// are compared with the check time.
	ClockSkew = 5 * time.Minute
	// RevocationPhaseOut is how long a capability stays usable after its
	// exp, on top of ClockSkew.
	RevocationPhaseOut = 24 * time.Hour
)

// legacyLayoutCutoff is 2022-09-20T00:00:00Z in milliseconds. Capabilities
// issued at or before it may have been signed with the old message layout.
const legacyLayoutCutoff = 1663632000000

// capability is a decoded CACAO block.
type capability struct {
	headerType string // h.t

	domain, iss, aud, version, nonce string
	iat, nbf, exp                    string
	statement, requestID             string
	hasResources                     bool
	resources                        []string

	signed  bool   // s is present
	sigType string // s.t
	sig     string // s.s
}

// decodeCapability decodes a dag-cbor CACAO block. Only the shape is
// checked here; what the fields mean is checked by the callers.
func decodeCapability(b []byte) (c *capability, err error) {
	if len(b) > MaxBlockSize {
		return nil, malformed("the CACAO block is %d bytes, more than the %d allowed", len(b), MaxBlockSize)
	}
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, malformed("the CACAO block is not valid dag-cbor")
		}
	}()
	nb := basicnode.Prototype.Any.NewBuilder()
	if err := dagcbor.Decode(nb, bytes.NewReader(b)); err != nil {
		return nil, &Error{Kind: ErrMalformed, Reason: "the CACAO block is not valid dag-cbor", Err: err}
	}
	root := nb.Build()
	if root.Kind() != datamodel.Kind_Map {
		return nil, malformed("the CACAO block is not a map")
	}
	c = &capability{}
	if h, err := optionalMap(root, "h", "CACAO"); err != nil {
		return nil, err
	} else if h != nil {
		if c.headerType, err = optionalString(h, "t", "CACAO h"); err != nil {
			return nil, err
		}
	}
	p, err := optionalMap(root, "p", "CACAO")
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, malformed(`the CACAO has no payload "p"`)
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"domain", &c.domain}, {"iss", &c.iss}, {"aud", &c.aud}, {"version", &c.version},
		{"nonce", &c.nonce}, {"iat", &c.iat}, {"nbf", &c.nbf}, {"exp", &c.exp},
		{"statement", &c.statement}, {"requestId", &c.requestID},
	} {
		if *f.dst, err = optionalString(p, f.name, "CACAO p"); err != nil {
			return nil, err
		}
	}
	if rs, err := p.LookupByString("resources"); err == nil && !rs.IsNull() {
		if rs.Kind() != datamodel.Kind_List {
			return nil, malformed("the CACAO field p.resources must be a list of strings")
		}
		c.hasResources = true
		it := rs.ListIterator()
		for !it.Done() {
			_, v, err := it.Next()
			if err != nil {
				return nil, malformed("the CACAO field p.resources cannot be read")
			}
			s, err := v.AsString()
			if err != nil {
				return nil, malformed("the CACAO field p.resources must be a list of strings")
			}
			c.resources = append(c.resources, s)
		}
	}
	s, err := optionalMap(root, "s", "CACAO")
	if err != nil {
		return nil, err
	}
	if s != nil {
		c.signed = true
		if c.sigType, err = optionalString(s, "t", "CACAO s"); err != nil {
			return nil, err
		}
		if c.sig, err = optionalString(s, "s", "CACAO s"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// optionalMap returns the map under key, nil if it is absent or null.
func optionalMap(n datamodel.Node, key, where string) (datamodel.Node, error) {
	v, err := n.LookupByString(key)
	if err != nil || v.IsNull() {
		return nil, nil
	}
	if v.Kind() != datamodel.Kind_Map {
		return nil, malformed("the %s field %q must be a map", where, key)
	}
	return v, nil
}

// optionalString returns the string under key, "" if it is absent or null.
func optionalString(n datamodel.Node, key, where string) (string, error) {
	v, err := n.LookupByString(key)
	if err != nil || v.IsNull() {
		return "", nil
	}
	s, err := v.AsString()
	if err != nil {
		return "", malformed("the %s field %q must be a string", where, key)
	}
	return s, nil
}

// checkResources requires the capability to name the stream: all streams,
// this stream, this exact commit payload of this stream, or all streams of
// the stream's model.
func (c *capability) checkResources(streamID, payloadCID, model string) error {
	target := "ceramic://" + streamID
	want := []string{"ceramic://*", target, target + "?payload=" + payloadCID}
	if model != "" {
		want = append(want, "ceramic://*?model="+model)
	}
	for _, r := range c.resources {
		for _, w := range want {
			if r == w {
				return nil
			}
		}
	}
	if !c.hasResources || len(c.resources) == 0 {
		return unauthorized("Capability does not have appropriate permissions to update this Stream: capability does not grant access to %s: it lists no resources", target)
	}
	need := "ceramic://* or " + target
	if model != "" {
		need = "ceramic://*, " + target + " or ceramic://*?model=" + model
	}
	return unauthorized("Capability does not have appropriate permissions to update this Stream: capability does not grant access to %s (it lists %s; it needs %s)",
		target, strings.Join(c.resources, ", "), need)
}

// expires returns the capability's exp, if it has one that can be read.
func (c *capability) expires() *time.Time {
	if c.exp == "" {
		return nil
	}
	ms, ok := parseCapabilityTime(c.exp)
	if !ok {
		return nil
	}
	t := msTime(ms)
	return &t
}

// checkTimes applies the capability time checks at the given time.
func (c *capability) checkTimes(at time.Time) error {
	atMs := at.UnixMilli()
	skew := ClockSkew.Milliseconds()
	for _, f := range []struct{ name, value string }{{"iat", c.iat}, {"nbf", c.nbf}} {
		if ms, ok := parseCapabilityTime(f.value); ok && ms > atMs+skew {
			return &TimeError{Kind: ErrNotYetValid, Field: f.name, Value: msTime(ms), At: at, Tolerance: ClockSkew}
		}
	}
	if ms, ok := parseCapabilityTime(c.exp); ok && ms+RevocationPhaseOut.Milliseconds()+skew < atMs {
		return &TimeError{Kind: ErrExpired, Field: "exp", Value: msTime(ms), At: at, Tolerance: RevocationPhaseOut + ClockSkew}
	}
	return nil
}

// verify checks a capability its audience used to sign a commit: its type,
// its times at the given time, and its wallet signature.
func (c *capability) verify(at time.Time) error {
	switch c.headerType {
	case "eip4361", "caip122":
	case "":
		return malformed(`the CACAO has no header type h.t`)
	default:
		return unsupported("CACAO header type %q is not supported; use eip4361 or caip122", c.headerType)
	}
	if !c.signed {
		return invalidSignature("capability issued by %s is not signed", c.iss)
	}
	switch c.sigType {
	case "eip191":
	case "":
		return malformed("the CACAO has no signature type s.t")
	default:
		return unsupported("CACAO signature type %q is not supported on this node; only eip191 (Ethereum accounts) is", c.sigType)
	}
	if err := c.checkTimes(at); err != nil {
		return err
	}
	return c.verifyEIP191()
}

// verifyEIP191 checks the wallet signature over the Sign-In with Ethereum
// message rebuilt from the capability.
func (c *capability) verifyEIP191() error {
	acctID, ok := strings.CutPrefix(c.iss, "did:pkh:")
	acct, ok2 := parseAccountID(acctID)
	if !ok || !ok2 {
		return malformed("capability issuer %q is not a did:pkh account", c.iss)
	}
	if c.nonce == "" {
		return malformed("the CACAO has no nonce p.nonce")
	}
	if c.iat == "" {
		return malformed("the CACAO has no issued-at time p.iat")
	}
	if c.domain == "" || c.version == "" {
		return malformed("the CACAO needs p.domain and p.version")
	}
	rs, recs, err := parseEthSignature(c.sig)
	if err != nil {
		return err
	}
	want := strings.ToLower(acct.address)
	legacy := false
	if ms, ok := parseCapabilityTime(c.iat); ok && ms <= legacyLayoutCutoff {
		legacy = true
	}
	for _, addr := range addressSpellings(acct.address) {
		msgs := []string{siweMessage(c, addr, acct.reference, false)}
		if legacy {
			msgs = append(msgs, siweMessage(c, addr, acct.reference, true))
		}
		for _, m := range msgs {
			if recoversAddress(eip191Hash(m), rs, recs, want) {
				return nil
			}
		}
	}
	return invalidSignature("invalid capability signature: the wallet signature does not belong to issuer %s", c.iss)
}

// parseEthSignature reads a 0x-prefixed 65-byte r||s||v (v = 27/28 or 0/1)
// or 64-byte EIP-2098 compact wallet signature.
func parseEthSignature(s string) (rs []byte, recs []byte, err error) {
	bad := func(why string) ([]byte, []byte, error) {
		return nil, nil, invalidSignature("invalid capability signature: %s", why)
	}
	h, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return bad("s.s must be 0x-prefixed hex")
	}
	b, err := decodeHex(h)
	if err != nil {
		return bad("s.s is not hex")
	}
	switch len(b) {
	case 65:
		v := b[64]
		if v < 27 {
			if v > 1 {
				return bad(fmt.Sprintf("invalid recovery byte v=%d", v))
			}
			v += 27
		}
		return b[:64], []byte{1 - v%2}, nil
	case 64:
		rec := b[32] >> 7
		b[32] &= 0x7f
		return b, []byte{rec}, nil
	}
	return bad(fmt.Sprintf("s.s has %d bytes, want 65", len(b)))
}

func decodeHex(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd length")
	}
	b := make([]byte, len(s)/2)
	for i := range b {
		hi, ok1 := hexNibble(s[2*i])
		lo, ok2 := hexNibble(s[2*i+1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("bad hex digit")
		}
		b[i] = hi<<4 | lo
	}
	return b, nil
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
