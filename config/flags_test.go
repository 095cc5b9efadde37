package config

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestParseDaemonFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Flags
		wantErr string
	}{
		{name: "none", args: nil, want: Flags{}},
		{name: "separate value", args: []string{"--port", "7010"}, want: Flags{Port: ptr(Port(7010))}},
		{name: "equals value", args: []string{"--port=7010", "--network=mainnet"}, want: Flags{Port: ptr(Port(7010)), Network: ptr("mainnet")}},
		{name: "empty equals value", args: []string{"--hostname="}, want: Flags{Hostname: ptr("")}},
		{name: "value starting with a dash", args: []string{"--pubsubTopic", "-topic"}, want: Flags{PubsubTopic: ptr("-topic")}},
		{name: "value containing equals", args: []string{"--ipfs-api", "http://h:5001/?a=b"}, want: Flags{IPFSAPI: ptr("http://h:5001/?a=b")}},
		{name: "last one wins", args: []string{"--network", "local", "--network", "inmemory"}, want: Flags{Network: ptr("inmemory")}},
		{name: "booleans", args: []string{"--debug", "--verbose", "--log-to-files", "--disable-composedb", "--read-only", "--gateway"},
			want: Flags{Debug: true, Verbose: true, LogToFiles: true, DisableComposeDB: true, ReadOnly: true, Gateway: true}},
		{name: "every value flag", args: []string{
			"--config", "c.json", "--ipfs-api", "http://i", "--ethereum-rpc", "http://e", "--anchor-service-api", "http://a",
			"--state-store-s3-bucket", "b", "--hostname", "h", "--log-directory", "l", "--network", "n",
			"--pubsubTopic", "t", "--cors-allowed-origins", "a  b", "--sync-override", "s",
		}, want: Flags{
			ConfigPath: ptr("c.json"), IPFSAPI: ptr("http://i"), EthereumRPC: ptr("http://e"), AnchorServiceAPI: ptr("http://a"),
			StateStoreS3Bucket: ptr("b"), Hostname: ptr("h"), LogDirectory: ptr("l"), Network: ptr("n"),
			PubsubTopic: ptr("t"), CORSAllowedOrigins: []string{"a", "b"}, SyncOverride: ptr("s"),
		}},
		{name: "variadic stops at the next option", args: []string{"--ipfs-pinning-endpoint", "ipfs+context", "ipfs+http://h:5001", "--debug"},
			want: Flags{IPFSPinningEndpoints: []string{"ipfs+context", "ipfs+http://h:5001"}, Debug: true}},
		{name: "variadic to the end", args: []string{"--debug", "--ipfs-pinning-endpoint", "a", "b", "c"},
			want: Flags{IPFSPinningEndpoints: []string{"a", "b", "c"}, Debug: true}},
		{name: "variadic with equals takes one value", args: []string{"--ipfs-pinning-endpoint=a", "--ipfs-pinning-endpoint", "b"},
			want: Flags{IPFSPinningEndpoints: []string{"a", "b"}}},
		{name: "state store directory", args: []string{"--state-store-directory", "/s"}, want: Flags{StateStoreDirectory: ptr("/s")}},
		{name: "help", args: []string{"--help"}, want: Flags{Help: true}},
		{name: "short help stops parsing", args: []string{"--debug", "-h", "--bogus"}, want: Flags{Debug: true, Help: true}},
		{name: "version -v", args: []string{"-v"}, want: Flags{Version: true}},
		{name: "version -V", args: []string{"-V"}, want: Flags{Version: true}},
		{name: "version --version", args: []string{"--version"}, want: Flags{Version: true}},
		{name: "double dash alone", args: []string{"--debug", "--"}, want: Flags{Debug: true}},

		{name: "unknown long", args: []string{"--bogus"}, wantErr: "unknown option '--bogus'"},
		{name: "unknown with value", args: []string{"--prot=7007"}, wantErr: "unknown option '--prot'"},
		{name: "unknown short", args: []string{"-x"}, wantErr: "unknown option '-x'"},
		{name: "flags are case sensitive", args: []string{"--pubsubtopic", "t"}, wantErr: "unknown option '--pubsubtopic'"},
		{name: "missing value at end", args: []string{"--network"}, wantErr: "option '--network <name>' argument missing"},
		{name: "missing value before a flag", args: []string{"--port", "--debug"}, wantErr: "option '--port <int>' argument missing"},
		{name: "missing variadic value", args: []string{"--ipfs-pinning-endpoint", "--debug"}, wantErr: "option '--ipfs-pinning-endpoint <url...>' argument missing"},
		{name: "boolean with value", args: []string{"--debug=true"}, wantErr: "option '--debug' does not take a value"},
		{name: "positional argument", args: []string{"start"}, wantErr: "unexpected argument 'start'"},
		{name: "argument after double dash", args: []string{"--", "x"}, wantErr: "unexpected argument 'x'"},
		{name: "bad port", args: []string{"--port", "70000"}, wantErr: `invalid value for http-api.port in flag --port: "70000" (allowed: an integer from 0 to 65535)`},
		{name: "blank cors", args: []string{"--cors-allowed-origins", "  "}, wantErr: "invalid value for http-api.cors-allowed-origins in flag --cors-allowed-origins"},
		{name: "directory and bucket", args: []string{"--state-store-s3-bucket", "b", "--state-store-directory", "d"},
			wantErr: "options '--state-store-directory' and '--state-store-s3-bucket' cannot be used together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDaemonFlags(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDaemonFlags: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %s\nwant %s", describeFlags(got), describeFlags(tt.want))
			}
		})
	}
}

// describeFlags renders f for a failure message; JSON shows the pointed-to values.
func describeFlags(f Flags) string {
	b, err := json.Marshal(f)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func TestFlagPortErrorIsTyped(t *testing.T) {
	_, err := ParseDaemonFlags([]string{"--port", "abc"})
	var cerr *Error
	if !errors.As(err, &cerr) || cerr.Key != "http-api.port" || cerr.Source != "flag --port" {
		t.Errorf("error = %#v, want a *config.Error for http-api.port from flag --port", err)
	}
}

func TestDaemonUsage(t *testing.T) {
	usage := DaemonUsage()
	if !strings.HasPrefix(usage, "Usage: ceramic daemon [options]\n") {
		t.Errorf("usage starts with %q", strings.SplitN(usage, "\n", 2)[0])
	}
	for _, spec := range daemonFlags {
		if !strings.Contains(usage, "  "+spec.spelling()+" ") {
			t.Errorf("usage does not list %s", spec.spelling())
		}
	}
	for _, want := range []string{"-v, -V, --version", "-h, --help"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage does not list %s", want)
		}
	}
	// Every flag named in the spec table (daemon-surface §3.1) is known.
	for _, name := range []string{
		"--config", "--ipfs-api", "--ethereum-rpc", "--anchor-service-api", "--ipfs-pinning-endpoint",
		"--state-store-directory", "--state-store-s3-bucket", "--port", "--hostname", "--debug", "--verbose",
		"--log-to-files", "--log-directory", "--network", "--pubsubTopic", "--cors-allowed-origins",
		"--sync-override", "--disable-composedb", "--read-only", "--gateway",
	} {
		if lookupFlag(name) == nil {
			t.Errorf("flag %s is not known", name)
		}
	}
}
