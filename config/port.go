package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Port is a TCP port number. In JSON it may be written as a number or as a numeric string
// (js-ceramic accepts both for http-api.port); it must lie in 0..65535.
type Port int

// UnmarshalJSON accepts 7007 and "7007".
func (p *Port) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := ParsePort(s)
		if err != nil {
			return err
		}
		*p = v
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("a port must be a number or a numeric string, got %s", b)
	}
	v, err := ParsePort(n.String())
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePort parses a decimal port number in 0..65535.
func ParsePort(s string) (Port, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 || v > 65535 {
		return 0, fmt.Errorf("%q is not a valid port number (allowed: an integer from 0 to 65535)", s)
	}
	return Port(v), nil
}
