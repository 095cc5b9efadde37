package api

import (
	"math"
	"net/url"
	"reflect"
	"testing"
)

func TestJSParseInt(t *testing.T) {
	tests := []struct {
		in     string
		want   float64
		wantOK bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{" 42", 42, true},
		{"\t\n\u00a0\ufeff\u2003 7", 7, true},
		{"+5", 5, true},
		{"-5", -5, true},
		{"3abc", 3, true},
		{"1e5", 1, true},
		{"3.9", 3, true},
		{"0x10", 16, true},
		{"0XfF", 255, true},
		{"-0x10", -16, true},
		{"0x", 0, false},
		{"0xg", 0, false},
		{"0b101", 0, true},
		{"012", 12, true},
		{"9007199254740993", 9007199254740992, true},
		{"", 0, false},
		{" ", 0, false},
		{"abc", 0, false},
		{"-", 0, false},
		{"+-1", 0, false},
		{"Infinity", 0, false},
		{".5", 0, false},
		{"4 2", 4, true},
		{"\u200b1", 0, false}, // zero-width space is not JS white space
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := jsParseInt(tc.in)
			if ok != tc.wantOK || (ok && got != tc.want) {
				t.Errorf("jsParseInt(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
	t.Run("overflow", func(t *testing.T) {
		big := "1"
		for range 400 {
			big += "0"
		}
		if got, ok := jsParseInt(big); !ok || !math.IsInf(got, 1) {
			t.Errorf("jsParseInt(1e400) = %v, %v; want +Inf", got, ok)
		}
	})
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  map[string]any
	}{
		{"empty", "", map[string]any{}},
		{"load options", "sync=1&syncTimeoutSeconds=3&pin=true&atTime=1706817788",
			map[string]any{"sync": 1.0, "syncTimeoutSeconds": 3.0, "pin": true, "atTime": 1706817788.0}},
		{"booleans are exact", "a=false&b=True&c=FALSE", map[string]any{"a": false, "b": "True", "c": "FALSE"}},
		{"parseInt prefixes", "a=3abc&b=1e5&c=0x10&d=%2042&e=-7", map[string]any{"a": 3.0, "b": 1.0, "c": 16.0, "d": 42.0, "e": -7.0}},
		{"strings stay strings", "id=kjzl6cwe1&cid=bagcqcera&empty=", map[string]any{"id": "kjzl6cwe1", "cid": "bagcqcera", "empty": ""}},
		{"digit-led ids become numbers, as in js", "x=3id", map[string]any{"x": 3.0}},
		{"JSON object, values typed recursively", `opts={"sync":"2","pin":"true","n":5,"s":"abc","inner":{"b":"false","l":["1"]}}`,
			map[string]any{"opts": map[string]any{"sync": 2.0, "pin": true, "n": 5.0, "s": "abc",
				"inner": map[string]any{"b": false, "l": []any{"1"}}}}},
		{"JSON string value holding an object", `o={"a":"{\"b\":\"1\"}"}`, map[string]any{"o": map[string]any{"a": map[string]any{"b": 1.0}}}},
		{"invalid JSON stays a string", "o={nope", map[string]any{"o": "{nope"}},
		{"brace not first", "o= {\"a\":1}", map[string]any{"o": ` {"a":1}`}},
		{"repeated key", "a=1&a=x&a=true", map[string]any{"a": []any{1.0, "x", true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := parseQuery(q); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseQuery(%q)\n got %#v\nwant %#v", tc.query, got, tc.want)
			}
		})
	}
}
