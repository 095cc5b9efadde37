package statestore_test

import (
	"errors"
	"testing"

	"github.com/goceramic/ceramic/statestore"
)

// The expected values were printed by Node.js: JSON.stringify(inner).
func TestEncodeAnchorRequestMatchesJSONStringify(t *testing.T) {
	tests := []struct {
		name, inner, want string
	}{
		{"plain", "{\"cid\":\"bafy\",\"timestamp\":1}", "\"{\\\"cid\\\":\\\"bafy\\\",\\\"timestamp\\\":1}\""},
		{"escaped quotes", "{\"a\":\"say \\\"hi\\\"\"}", "\"{\\\"a\\\":\\\"say \\\\\\\"hi\\\\\\\"\\\"}\""},
		{"backslash", "{\"p\":\"C:\\\\dir\"}", "\"{\\\"p\\\":\\\"C:\\\\\\\\dir\\\"}\""},
		{"escaped controls", "{\"c\":\"\\u0001\\u001f\\b\\f\\n\\r\\t\"}", "\"{\\\"c\\\":\\\"\\\\u0001\\\\u001f\\\\b\\\\f\\\\n\\\\r\\\\t\\\"}\""},
		{"html kept", "{\"h\":\"</script> & <b>\"}", "\"{\\\"h\\\":\\\"</script> & <b>\\\"}\""},
		{"non-ASCII kept", "{\"u\":\"\u00e9 \U0001f680 \u2028\u2029\",\"del\":\"\u007f\"}", "\"{\\\"u\\\":\\\"\u00e9 \U0001f680 \u2028\u2029\\\",\\\"del\\\":\\\"\u007f\\\"}\""},
		{"raw whitespace", "{\n\t\"a\": [1, 2]\r\n}", "\"{\\n\\t\\\"a\\\": [1, 2]\\r\\n}\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := statestore.EncodeAnchorRequest([]byte(tc.inner))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("EncodeAnchorRequest\n got %s\nwant %s", got, tc.want)
			}
			back, err := statestore.DecodeAnchorRequest(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(back) != tc.inner {
				t.Fatalf("DecodeAnchorRequest = %q, want %q", back, tc.inner)
			}
		})
	}
}

func TestAnchorRequestErrors(t *testing.T) {
	encode := []struct {
		name  string
		inner []byte
	}{
		{"not JSON", []byte("{cid:1}")},
		{"empty", nil},
		{"invalid UTF-8", []byte("{\"a\":\"\xff\"}")},
	}
	for _, tc := range encode {
		t.Run("encode "+tc.name, func(t *testing.T) {
			if _, err := statestore.EncodeAnchorRequest(tc.inner); !errors.Is(err, statestore.ErrInvalidValue) {
				t.Fatalf("error = %v, want ErrInvalidValue", err)
			}
		})
	}
	decode := []struct {
		name   string
		stored string
	}{
		{"bare object (not double-encoded)", `{"cid":"bafy","timestamp":1}`},
		{"string without JSON", `"hello"`},
		{"truncated", `"{\"cid\":`},
		{"empty", ``},
		{"number", `12`},
	}
	for _, tc := range decode {
		t.Run("decode "+tc.name, func(t *testing.T) {
			if _, err := statestore.DecodeAnchorRequest([]byte(tc.stored)); !errors.Is(err, statestore.ErrInvalidValue) {
				t.Fatalf("error = %v, want ErrInvalidValue", err)
			}
		})
	}
}

func TestDecodeAnchorRequestAcceptsOtherEscapes(t *testing.T) {
	// A writer other than JSON.stringify may escape more (Go escapes '<' and
	// U+2028); any valid JSON string literal must decode.
	got, err := statestore.DecodeAnchorRequest([]byte(`"{\"h\":\"\u003c/b\u003e \u2028\",\"s\":\"\/\"}"`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\"h\":\"</b> \u2028\",\"s\":\"/\"}"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
