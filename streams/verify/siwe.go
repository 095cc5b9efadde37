package verify

import (
	"strconv"
	"strings"
)

// siweMessage rebuilds the Sign-In with Ethereum (EIP-4361) text that the
// wallet signed when it issued the capability.
//
// The current layout is:
//
//	{domain} wants you to sign in with your Ethereum account:
//	{address}
//
//	{statement}            (this line and the blank line after it only with a statement)
//
//	URI: {aud}
//	Version: {version}
//	Chain ID: {chain}
//	Nonce: {nonce}
//	Issued At: {iat}
//	Expiration Time: {exp}  (only with exp)
//	Not Before: {nbf}       (only with nbf)
//	Request ID: {requestId} (only with requestId)
//	Resources:              (only with at least one resource)
//	- {resource}
//
// The legacy layout (capabilities issued up to 2022-09-20) has no Chain ID
// line after Version; it has "Chain ID: {chain}" after Request ID instead,
// and a "Resources:" line whenever the resources field is present.
func siweMessage(c *capability, address, chain string, legacy bool) string {
	var b strings.Builder
	b.WriteString(c.domain)
	b.WriteString(" wants you to sign in with your Ethereum account:\n")
	b.WriteString(address)
	if c.statement != "" {
		b.WriteString("\n\n")
		b.WriteString(c.statement)
	}
	b.WriteString("\n\n")
	lines := []string{"URI: " + c.aud, "Version: " + c.version}
	if !legacy {
		lines = append(lines, "Chain ID: "+chain)
	}
	lines = append(lines, "Nonce: "+c.nonce, "Issued At: "+c.iat)
	if c.exp != "" {
		lines = append(lines, "Expiration Time: "+c.exp)
	}
	if c.nbf != "" {
		lines = append(lines, "Not Before: "+c.nbf)
	}
	if c.requestID != "" {
		lines = append(lines, "Request ID: "+c.requestID)
	}
	if legacy {
		lines = append(lines, "Chain ID: "+chain)
	}
	if (legacy && c.hasResources) || len(c.resources) > 0 {
		r := "Resources:"
		for _, res := range c.resources {
			r += "\n- " + res
		}
		lines = append(lines, r)
	}
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}

// eip191Hash is the hash an Ethereum wallet signs for personal_sign:
// keccak256("\x19Ethereum Signed Message:\n" + len(msg) + msg), with the
// length counted in UTF-8 bytes.
func eip191Hash(msg string) []byte {
	return keccak256([]byte("\x19Ethereum Signed Message:\n"+strconv.Itoa(len(msg))), []byte(msg))
}

// addressSpellings returns the spellings of an Ethereum address a wallet may
// have put in the message: as written in the issuer DID, all lower case, and
// EIP-55 checksummed. Duplicates are removed.
func addressSpellings(addr string) []string {
	out := []string{addr}
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	lower := strings.ToLower(addr)
	add(lower)
	if cs, ok := eip55(lower); ok {
		add(cs)
	}
	return out
}

// eip55 returns the EIP-55 mixed-case checksum spelling of a lower-case
// 0x-prefixed 20-byte hex address.
func eip55(lower string) (string, bool) {
	hexPart, ok := strings.CutPrefix(lower, "0x")
	if !ok || len(hexPart) != 40 {
		return "", false
	}
	if _, err := decodeHex(hexPart); err != nil {
		return "", false
	}
	h := keccak256([]byte(hexPart))
	out := []byte(hexPart)
	for i, c := range out {
		nibble := h[i/2] >> 4
		if i%2 == 1 {
			nibble = h[i/2] & 0x0f
		}
		if c >= 'a' && c <= 'f' && nibble >= 8 {
			out[i] = c - 'a' + 'A'
		}
	}
	return "0x" + string(out), true
}
