// Package archtest checks the dependency direction between the project's packages.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/goceramic/ceramic"

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

// rule forbids packages under from importing anything matching a forbidden prefix.
type rule struct {
	from      string   // package path prefix, relative to the module ("" = every package)
	forbidden []string // import path prefixes
	why       string
}

var rules = []rule{
	{"api", []string{module + "/node", "github.com/ipfs/kubo", module + "/cmd"}, "api returns a handler and sees the node only through its Backend interface"},
	{"p2p", []string{module + "/node", module + "/api", "github.com/ipfs/kubo"}, "p2p runs on an abstract transport"},
	{"streams", []string{module + "/node", module + "/api", module + "/p2p", module + "/anchor", "github.com/ipfs/kubo", "github.com/libp2p"}, "the stream engine is pure"},
	{"anchor", []string{module + "/node", module + "/api", "github.com/ipfs/kubo"}, "anchoring sees streams only"},
	{"statestore", []string{module + "/node", module + "/api", module + "/p2p", "github.com/ipfs/kubo"}, "state stores are leaves"},
	{"", []string{module + "/cmd", module + "/integration"}, "nothing imports the binary or the tests"},
}

// kuboAllowed lists the only packages that may import kubo.
var kuboAllowed = []string{module + "/node"}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Standard", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func TestDependencyDirection(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			for _, r := range rules {
				if r.from != "" && !under(p.ImportPath, module+"/"+r.from) {
					continue
				}
				for _, f := range r.forbidden {
					if under(imp, f) && !under(p.ImportPath, f) {
						t.Errorf("%s imports %s: %s", p.ImportPath, imp, r.why)
					}
				}
			}
			if strings.HasPrefix(imp, "github.com/ipfs/kubo") {
				ok := false
				for _, a := range kuboAllowed {
					ok = ok || under(p.ImportPath, a)
				}
				if !ok {
					t.Errorf("%s imports %s: only node/ may import kubo", p.ImportPath, imp)
				}
			}
		}
	}
}

// TestConfigIsALeaf: the config package uses the standard library only, so programs that
// only read configuration do not link the node.
func TestConfigIsALeaf(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+"/config").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != module+"/config" {
			t.Errorf("config depends on %s", dep)
		}
	}
}
