package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// redactedValue replaces secret values in messages and in [Config.Redacted].
const redactedValue = "<redacted>"

// Error reports an invalid configuration value. Its message names the key, where the value
// came from, the value and what is allowed, for example:
//
//	invalid value for logger.log-level in /x/daemon.config.json: "2" (allowed: an integer from 0 to 3)
//
// Some checks that js-ceramic also makes put js-ceramic's wording first (Reason), so that
// operators searching for the old message find the new one.
type Error struct {
	// Key is the dotted config key, e.g. "logger.log-level". An entry of a list carries its
	// index, e.g. "ipfs.pinning-endpoints[1]".
	Key string
	// Value is the offending value as JSON text. It is empty when the key is not set and
	// "<redacted>" for secrets.
	Value string
	// Allowed describes the values that are accepted.
	Allowed string
	// Source says where the value came from: the config file path, "environment variable
	// NAME" or "flag --name". It is empty when that is unknown ([Config.Validate]).
	Source string
	// Reason, when set, leads the message.
	Reason string
	// Err is the underlying cause, if any.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Reason != "" {
		b.WriteString(e.Reason)
		b.WriteString(": ")
	}
	b.WriteString("invalid value for ")
	b.WriteString(e.Key)
	if e.Source != "" {
		b.WriteString(" in ")
		b.WriteString(e.Source)
	}
	b.WriteString(": ")
	if e.Value == "" {
		b.WriteString("(not set)")
	} else {
		b.WriteString(e.Value)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Allowed != "" {
		b.WriteString(" (allowed: ")
		b.WriteString(e.Allowed)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// joinErrors returns nil, the only error, or all of them joined.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	default:
		return errors.Join(errs...)
	}
}

// maxValueLen bounds the length of a value quoted in a message.
const maxValueLen = 120

// jsonText renders v as compact JSON for a message (strings quoted, no HTML escaping).
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "?"
	}
	return shorten(strings.TrimSuffix(buf.String(), "\n"))
}

// rawText renders raw JSON from a file compactly for a message.
func rawText(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return shorten(string(raw))
	}
	return shorten(buf.String())
}

func shorten(s string) string {
	if len(s) <= maxValueLen {
		return s
	}
	return s[:maxValueLen] + "…"
}
