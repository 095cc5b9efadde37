// Package buildinfo reports the version of the running build.
package buildinfo

import "runtime/debug"

// version is set at link time: -ldflags "-X github.com/goceramic/ceramic/internal/buildinfo.version=v1.2.3".
var version string

// Version returns the link-time version, else the module version recorded by the Go
// toolchain, else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Commit returns the VCS revision recorded at build time, or "".
func Commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}
