package p2p

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestQueryIDVectors(t *testing.T) {
	f, err := os.Open("testdata/queryid.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if got := QueryID(fields[0]); got != fields[1] {
			t.Errorf("QueryID(%s) = %s, want %s", fields[0], got, fields[1])
		}
		n++
	}
	if n == 0 {
		t.Fatal("no vectors read")
	}
}

func TestDecodeEncode(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Message
		out  string // canonical re-encoding; empty = same as in
	}{
		{"update", `{"typ":0,"stream":"kjzl1","tip":"bagcq1"}`, Message{Type: TypeUpdate, Stream: "kjzl1", Tip: "bagcq1"}, ""},
		{"update with model and extra field", `{"typ":0,"stream":"kjzl1","tip":"bagcq1","model":"kh4q","x":1}`,
			Message{Type: TypeUpdate, Stream: "kjzl1", Tip: "bagcq1", Model: "kh4q"}, `{"typ":0,"stream":"kjzl1","tip":"bagcq1","model":"kh4q"}`},
		{"query", `{"typ":1,"stream":"kjzl1","id":"EiD"}`, Message{Type: TypeQuery, Stream: "kjzl1", ID: "EiD"}, ""},
		{"response", `{"typ":2,"id":"EiD","tips":{"kjzl1":"bagcq1"}}`, Message{Type: TypeResponse, ID: "EiD", Tips: map[string]string{"kjzl1": "bagcq1"}}, ""},
		{"keepalive", `{"typ":3,"ts":1706800000000,"ver":"3.4.1","ipfsVer":"0.18.1"}`,
			Message{Type: TypeKeepalive, Timestamp: 1706800000000, Version: "3.4.1", IPFSVersion: "0.18.1"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Decode = %+v, want %+v", got, c.want)
			}
			out, err := Encode(got)
			if err != nil {
				t.Fatal(err)
			}
			want := c.out
			if want == "" {
				want = c.in
			}
			if string(out) != want {
				t.Errorf("Encode = %s, want %s", out, want)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not json":                  `hello`,
		"no typ":                    `{"stream":"kjzl1"}`,
		"typ as string":             `{"typ":"0","stream":"kjzl1","tip":"b"}`,
		"fractional typ":            `{"typ":0.5}`,
		"unknown typ":               `{"typ":7}`,
		"update without tip":        `{"typ":0,"stream":"kjzl1"}`,
		"legacy doc field":          `{"typ":0,"doc":"kjzl1","tip":"b"}`,
		"query without id":          `{"typ":1,"stream":"kjzl1"}`,
		"response without tips":     `{"typ":2,"id":"x"}`,
		"keepalive without ipfsVer": `{"typ":3,"ts":1,"ver":"3"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode([]byte(in)); !errors.Is(err, ErrMalformed) {
				t.Errorf("Decode(%s) error = %v, want ErrMalformed", in, err)
			}
		})
	}
}
